#include "synalinks/hp/hyperparameters.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/throws.hpp"
#include "support/values.hpp"
#include "synalinks/errors.hpp"

namespace synalinks {
namespace {

using synalinks::testing::F;
using synalinks::testing::I;
using synalinks::testing::message_of;
using synalinks::testing::S;
using ::testing::HasSubstr;

std::vector<std::string> names_of(const std::vector<HyperParameter>& space) {
  std::vector<std::string> names;
  for (const auto& hp : space) names.push_back(hp.name());
  return names;
}

// Scenario 1: a declaration returns its default and records it.
TEST(HyperParametersTest, ChoiceReturnsDefaultAndRecordsIt) {
  HyperParameters hp;
  EXPECT_EQ(hp.Choice<int>("choice", {1, 2, 3}, {.default_value = 2}), 2);
  EXPECT_EQ(hp.values(), (ValueMap{{"choice", I(2)}}));
  EXPECT_EQ(hp.space().size(), 1U);
  EXPECT_EQ(hp.get("choice"), I(2));
  EXPECT_EQ(hp.get<int>("choice"), 2);
  EXPECT_EQ(message_of<NotFound>([&] { (void)hp.get("wrong"); }), "'wrong' does not exist");
  EXPECT_FALSE(hp.contains("wrong"));
  EXPECT_TRUE(hp.contains("choice"));
}

// Scenario 2: name scopes prefix the names and nest with '/'.
TEST(HyperParametersTest, NameScopes) {
  HyperParameters hp;
  EXPECT_EQ(hp.Choice<int>("choice", {1, 2, 3}, {.default_value = 2}), 2);
  {
    auto scope1 = hp.name_scope("scope1");
    EXPECT_EQ(hp.Choice<int>("choice", {4, 5, 6}, {.default_value = 5}), 5);
    {
      auto scope2 = hp.name_scope("scope2");
      EXPECT_EQ(hp.Choice<int>("choice", {7, 8, 9}, {.default_value = 8}), 8);
      EXPECT_EQ(hp.get("choice"), I(8));  // get is scoped too
    }
    EXPECT_EQ(hp.Int("range", 0, 10, {.default_value = 5}), 5);
  }
  EXPECT_EQ(hp.values(), (ValueMap{{"choice", I(2)},
                                   {"scope1/choice", I(5)},
                                   {"scope1/scope2/choice", I(8)},
                                   {"scope1/range", I(5)}}));
  EXPECT_EQ(hp.get("scope1/scope2/choice"), I(8));
  EXPECT_EQ(hp.get("choice"), I(2));  // the scopes are closed again
}

// Scenario 3: parent_name / parent_values behave as a conditional scope.
TEST(HyperParametersTest, ParentNameOption) {
  HyperParameters hp;
  EXPECT_EQ(hp.Choice<int>("a", {1, 2, 3}, {.default_value = 2}), 2);
  // Inactive: keras-tuner returns None, we return the default and record nothing.
  EXPECT_EQ(hp.Int("b", 0, 10, {.default_value = 5, .parent_name = "a", .parent_values = {1}}), 5);
  EXPECT_EQ(hp.Int("b", 0, 100, {.default_value = 4, .parent_name = "a", .parent_values = {2}}), 4);
  EXPECT_EQ(hp.values(), (ValueMap{{"a", I(2)}, {"b", I(4)}}));
  EXPECT_EQ(hp.space().size(), 3U);
  // The option leaves no condition behind.
  EXPECT_EQ(hp.Int("c", 0, 3), 0);
  EXPECT_TRUE(hp.space().back().conditions().empty());
}

TEST(HyperParametersTest, ParentValuesAreTypedValues) {
  HyperParameters hp;
  hp.Choice<int>("units", {1, 2});
  hp.Choice<std::string>("model", {"mlp", "cnn"});
  hp.Int("x", 0, 3, {.parent_name = "units", .parent_values = {1}});
  hp.Boolean("y", {.parent_name = "model", .parent_values = {"cnn"}});
  const auto& x_condition = hp.space()[2].conditions().at(0);
  ASSERT_EQ(x_condition.parent_values.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(x_condition.parent_values[0]));
  EXPECT_EQ(x_condition.parent_values[0], I(1));
  const auto& y_condition = hp.space()[3].conditions().at(0);
  EXPECT_EQ(y_condition.parent_name, "model");
  ASSERT_EQ(y_condition.parent_values.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<std::string>(y_condition.parent_values[0]));
  EXPECT_EQ(y_condition.parent_values[0], S("cnn"));
  EXPECT_TRUE(hp.contains("x"));
  EXPECT_FALSE(hp.contains("y"));
}

// Scenario 4: a parameter whose conditions do not hold is inactive; its active twin is found.
TEST(HyperParametersTest, InactiveParameterAndItsActiveTwin) {
  HyperParameters hp;
  hp.Choice<int>("b", {1, 2}, {.default_value = 2});
  {
    auto scope = hp.conditional_scope("b", {1});
    EXPECT_EQ(hp.Int("c", 0, 10, {.default_value = 3}), 3);
    EXPECT_EQ(message_of<InactiveParameter>([&] { (void)hp.get("c"); }),
              "'c' is currently inactive");
    EXPECT_FALSE(hp.is_active("c"));
  }
  {
    auto scope = hp.conditional_scope("b", {2});
    EXPECT_EQ(hp.Int("c", 0, 10, {.default_value = 7}), 7);
  }
  EXPECT_EQ(hp.get("c"), I(7));
  EXPECT_TRUE(hp.is_active("c"));
  EXPECT_TRUE(hp.is_active(hp.space()[2]));
  EXPECT_FALSE(hp.is_active(hp.space()[1]));
  EXPECT_EQ(hp.find("c"), &hp.space()[2]);  // the active one first
  EXPECT_EQ(hp.find("c", {Condition{"b", {I(1)}}}), &hp.space()[1]);
  EXPECT_EQ(hp.find("c", {}), nullptr);
  EXPECT_EQ(hp.find("nope"), nullptr);
}

// Scenario 5: nested conditional and name scopes.
TEST(HyperParametersTest, NestedConditionalAndNameScopes) {
  HyperParameters hp;
  EXPECT_EQ(hp.Choice<int>("a", {1, 2, 3}, {.default_value = 3}), 3);
  {
    auto a_scope = hp.conditional_scope("a", {1, 3});
    EXPECT_EQ(hp.Choice<int>("b", {4, 5, 6}, {.default_value = 6}), 6);
    {
      auto b_scope = hp.conditional_scope("b", {6});
      EXPECT_EQ(hp.Choice<int>("c", {7, 8, 9}), 7);
      {
        auto d_scope = hp.name_scope("d");
        EXPECT_EQ(hp.Choice<int>("e", {10, 11, 12}), 10);
      }
    }
  }
  {
    auto a_scope = hp.conditional_scope("a", {2});
    EXPECT_EQ(hp.Choice<int>("f", {13, 14, 15}), 13);  // inactive: the default
    {
      auto g_scope = hp.name_scope("g");
      EXPECT_EQ(hp.Int("h", 0, 10), 0);  // inactive: the default
    }
  }
  EXPECT_EQ(hp.values(), (ValueMap{{"a", I(3)}, {"b", I(6)}, {"c", I(7)}, {"d/e", I(10)}}));
  EXPECT_THROW((void)hp.get("f"), InactiveParameter);
  EXPECT_THROW((void)hp.get("g/h"), InactiveParameter);
  EXPECT_EQ(names_of(hp.space()), (std::vector<std::string>{"a", "b", "c", "d/e", "f", "g/h"}));
  const auto& e_conditions = hp.space()[3].conditions();
  ASSERT_EQ(e_conditions.size(), 2U);
  EXPECT_EQ(e_conditions[0], (Condition{"a", {I(1), I(3)}}));
  EXPECT_EQ(e_conditions[1], (Condition{"b", {I(6)}}));
}

TEST(HyperParametersTest, ConditionalScopeNeedsAParentAtTheCurrentNesting) {
  HyperParameters hp;
  EXPECT_THAT(message_of<InvalidArgument>([&] { auto s = hp.conditional_scope("a", {1}); }),
              HasSubstr("'a' is not defined"));
  hp.Choice<int>("a", {1, 2});
  {
    auto scope = hp.conditional_scope("a", {1});
    hp.Choice<int>("b", {1, 2});
  }
  // `b` exists, but under a condition: it is not a parent at the top level.
  EXPECT_THAT(message_of<InvalidArgument>([&] { auto s = hp.conditional_scope("b", {1}); }),
              HasSubstr("'b' is not defined"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { auto s = hp.conditional_scope("a", {}); }),
              HasSubstr("at least one parent value"));
  // A failed scope leaves no condition behind.
  hp.Int("top", 0, 1);
  EXPECT_TRUE(hp.space().back().conditions().empty());
  EXPECT_THAT(message_of<InvalidArgument>(
                  [&] { hp.Int("x", 0, 1, {.parent_name = "missing", .parent_values = {1}}); }),
              HasSubstr("'missing' is not defined"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.Int("x", 0, 1, {.parent_values = {1}}); }),
              HasSubstr("without a parent_name"));
}

TEST(HyperParametersTest, ConditionalParameterCannotShareItsParentsName) {
  HyperParameters hp;
  hp.Choice<int>("a", {1, 2});
  auto scope = hp.conditional_scope("a", {1});
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.Int("a", 0, 5); }),
              HasSubstr("cannot have the same name as its parent"));
}

TEST(HyperParametersTest, ConditionalScopeParentGetsTheNamePrefix) {
  HyperParameters hp;
  auto block = hp.name_scope("block");
  hp.Boolean("use", {.default_value = true});
  auto scope = hp.conditional_scope("use", {true});
  hp.Int("units", 1, 4);
  EXPECT_EQ(hp.space().back().name(), "block/units");
  EXPECT_EQ(hp.space().back().conditions().at(0), (Condition{"block/use", {Value(true)}}));
  EXPECT_EQ(hp.get("units"), I(1));
}

TEST(HyperParametersTest, RedeclarationReturnsTheCurrentValueOrFails) {
  HyperParameters hp;
  EXPECT_EQ(hp.Int("units", 1, 10), 1);
  hp.set_value("units", I(7));
  EXPECT_EQ(hp.Int("units", 1, 10), 7);
  EXPECT_EQ(hp.space().size(), 1U);

  EXPECT_EQ(message_of<InvalidArgument>([&] { hp.Int("units", 1, 20); }),
            "hyperparameter 'units' is already declared as Int(name: 'units', min_value: 1, "
            "max_value: 10, step: 1, sampling: linear, default: 1); it cannot be declared again "
            "as Int(name: 'units', min_value: 1, max_value: 20, step: 1, sampling: linear, "
            "default: 1) (same name and conditions, different type, domain or default)");
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.Float("units", 1, 10); }),
              HasSubstr("cannot be declared again as Float(name: 'units'"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.Int("units", 1, 10, {.default_value = 2}); }),
              HasSubstr("already declared"));
  EXPECT_EQ(hp.space().size(), 1U);
}

TEST(HyperParametersTest, TypedDeclarations) {
  HyperParameters hp;
  EXPECT_TRUE(hp.Boolean("use_cot", {.default_value = true}));
  EXPECT_EQ(hp.Float("temperature", 0.0, 1.0, {.default_value = 0.5}), 0.5);
  EXPECT_EQ(hp.Choice<std::string>("effort", {"minimal", "low"}, {.default_value = "low"}), "low");
  EXPECT_TRUE(hp.Choice<bool>("flag", {true, false}));
  EXPECT_EQ(hp.Choice<double>("rate", {0.1, 0.2}), 0.1);
  EXPECT_EQ(hp.Choice<short>("small", {3, 4}), 3);
  EXPECT_EQ(hp.Fixed("loss", "mse"), "mse");
  EXPECT_EQ(hp.Fixed<int>("epochs", 3), 3);
  EXPECT_EQ(hp.Fixed<double>("scale", 2.5), 2.5);

  // Choice<bool> keeps bools (keras-tuner would turn them into 1 and 0).
  EXPECT_EQ(hp.get("flag"), Value(true));
  EXPECT_EQ(hp.find("flag")->choices(), (std::vector<Value>{Value(true), Value(false)}));
  EXPECT_FALSE(hp.find("flag")->ordered());
  EXPECT_EQ(hp.get("small"), I(3));
  EXPECT_EQ(hp.get("epochs"), I(3));
  EXPECT_EQ(hp.get<std::string>("loss"), "mse");
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)hp.get<std::string>("epochs"); }),
              HasSubstr("holds 3 of type int"));
}

TEST(HyperParametersTest, PrepopulatedValueWinsOverTheDefault) {
  HyperParameters hp;
  hp.set_value("x", S("v"));
  EXPECT_EQ(hp.Choice<std::string>("x", {"v", "d"}, {.default_value = "d"}), "v");
  // keras-tuner semantics: even out of range.
  hp.set_value("n", I(100));
  EXPECT_EQ(hp.Int("n", 0, 10), 100);
  // A value set before the declaration takes the declared type when nothing is lost.
  hp.set_value("rate", I(1));
  EXPECT_EQ(hp.Float("rate", 0, 2), 1.0);
  EXPECT_EQ(hp.get("rate"), F(1.0));
}

TEST(HyperParametersTest, SetValueCoercesAndChecksTheDomain) {
  HyperParameters hp;
  hp.Int("units", 0, 10, {.step = 2});
  hp.Float("lr", 0.0, 1.0);
  hp.set_value("units", F(4.0));
  EXPECT_EQ(hp.get("units"), I(4));
  hp.set_value("lr", I(1));
  EXPECT_EQ(hp.get("lr"), F(1.0));
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.set_value("units", I(5)); }),
              HasSubstr("cannot set 'units' to 5: the value is outside the domain of Int(name: "
                        "'units'"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { hp.set_value("units", S("five")); }),
              HasSubstr("Int 'units': cannot hold 'five' (str); expected an int"));
  EXPECT_THROW(hp.set_value("lr", F(1.5)), InvalidArgument);
  EXPECT_EQ(hp.get("units"), I(4));  // unchanged by the failures

  // Names outside the space are stored as they are.
  hp.set_value("tuner/epochs", I(4));
  hp.set_value("tuner/trial_id", S("0012"));
  EXPECT_EQ(hp.get("tuner/epochs"), I(4));
  EXPECT_EQ(hp.get<std::string>("tuner/trial_id"), "0012");
  hp.erase_value("tuner/epochs");
  EXPECT_THROW((void)hp.get("tuner/epochs"), NotFound);

  hp.set_values(ValueMap{{"units", I(8)}, {"lr", F(0.25)}});
  EXPECT_EQ(hp.get("units"), I(8));
  EXPECT_EQ(hp.get("lr"), F(0.25));
}

TEST(HyperParametersTest, SetValueAcceptsAnyTwinsDomain) {
  HyperParameters hp;
  hp.Choice<std::string>("model", {"mlp", "cnn"});
  hp.Int("width", 1, 4, {.parent_name = "model", .parent_values = {"mlp"}});
  hp.Int("width", 10, 40, {.parent_name = "model", .parent_values = {"cnn"}});
  hp.set_value("model", S("cnn"));
  hp.set_value("width", I(20));
  EXPECT_EQ(hp.get("width"), I(20));
  EXPECT_THROW(hp.set_value("width", I(100)), InvalidArgument);
}

// Scenario 6: merge.
TEST(HyperParametersTest, Merge) {
  HyperParameters hp;
  hp.Int("a", 0, 100);
  hp.Fixed<int>("b", 2);
  hp.Int("c", 0, 100, {.default_value = 30});

  HyperParameters other;
  other.Fixed<int>("a", 3);
  hp.merge(other);
  EXPECT_EQ(hp.get("a"), I(3));
  EXPECT_EQ(hp.find("a")->kind(), HpKind::fixed);
  EXPECT_EQ(names_of(hp.space()), (std::vector<std::string>{"a", "b", "c"}));

  HyperParameters more;
  more.Fixed<int>("a", 5);
  more.Choice<int>("d", {1, 2, 3}, {.default_value = 1});
  hp.merge(more, /*overwrite=*/false);
  EXPECT_EQ(hp.get("a"), I(3));
  EXPECT_EQ(hp.get("d"), I(1));
  EXPECT_EQ(names_of(hp.space()), (std::vector<std::string>{"a", "b", "c", "d"}));

  // With overwrite, active values go back to their defaults.
  hp.set_value("c", I(99));
  hp.merge(std::vector<HyperParameter>{*hp.find("c")});
  EXPECT_EQ(hp.get("c"), I(30));
  // Without, existing declarations are skipped entirely.
  hp.set_value("c", I(99));
  hp.erase_value("b");
  hp.merge(hp.space(), /*overwrite=*/false);
  EXPECT_EQ(hp.get("c"), I(99));
  EXPECT_FALSE(hp.contains("b"));
  EXPECT_EQ(hp.space().size(), 4U);
  // Merging a space into itself with overwrite keeps one entry per declaration and resets.
  hp.merge(hp);
  EXPECT_EQ(hp.space().size(), 4U);
  EXPECT_EQ(hp.values(), (ValueMap{{"a", I(3)}, {"c", I(30)}, {"d", I(1)}, {"b", I(2)}}));
}

TEST(HyperParametersTest, DeclareRegistersBuiltDeclarations) {
  HyperParameters hp;
  EXPECT_EQ(hp.declare(HyperParameter::choice("m", {S("a"), S("b")})), S("a"));
  EXPECT_EQ(hp.declare(HyperParameter::integer("u", 0, 5, {.default_value = 2},
                                               {Condition{"m", {S("b")}}})),
            std::nullopt);
  EXPECT_EQ(hp.declare(HyperParameter::choice("m", {S("a"), S("b")})), S("a"));
  EXPECT_THROW(hp.declare(HyperParameter::choice("m", {S("a"), S("c")})), InvalidArgument);
  EXPECT_EQ(hp.space().size(), 2U);
  EXPECT_EQ(hp.values(), (ValueMap{{"m", S("a")}}));
}

TEST(HyperParametersTest, CopiesShareTheSpaceUntilOneDeclares) {
  HyperParameters original;
  original.Int("units", 32, 512, {.step = 32});
  original.Float("lr", 1e-4, 1e-2, {.sampling = Sampling::log});

  HyperParameters copy = original;
  EXPECT_EQ(&copy.space(), &original.space());  // copying does not copy the space
  copy.set_value("units", I(64));
  EXPECT_EQ(original.get("units"), I(32));  // values are per copy

  EXPECT_EQ(copy.Boolean("dropout"), false);
  EXPECT_NE(&copy.space(), &original.space());
  EXPECT_EQ(original.space().size(), 2U);
  EXPECT_EQ(copy.space().size(), 3U);
  EXPECT_FALSE(original.contains("dropout"));
  EXPECT_EQ(original.find("dropout"), nullptr);

  // Declaring in the original afterwards does not reach the copy either.
  original.Int("layers", 1, 3);
  EXPECT_EQ(names_of(copy.space()), (std::vector<std::string>{"units", "lr", "dropout"}));
  EXPECT_EQ(names_of(original.space()), (std::vector<std::string>{"units", "lr", "layers"}));

  // Merging into a copy leaves the original alone too.
  HyperParameters third = original;
  third.merge(copy);
  EXPECT_EQ(original.space().size(), 3U);
  EXPECT_EQ(third.space().size(), 4U);
}

TEST(HyperParametersTest, EmptyCopyKeepsTheSpaceOnly) {
  HyperParameters hp;
  hp.Int("units", 1, 4);
  hp.set_value("tuner/epochs", I(2));
  const HyperParameters empty = hp.empty_copy();
  EXPECT_EQ(&empty.space(), &hp.space());
  EXPECT_TRUE(empty.values().empty());
  EXPECT_EQ(message_of<NotFound>([&] { (void)empty.get("units"); }),
            "'units' is active but has no value");
}

// §4.6: seeds 1337, 1338, 1339 draw units, lr and act.
TEST(HyperParametersTest, EnsureActiveValuesDrawsSeededSamples) {
  HyperParameters space;
  space.Int("units", 32, 512, {.step = 32});
  space.Float("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  space.Choice<std::string>("act", {"relu", "tanh"});

  HyperParameters trial = space.empty_copy();
  std::int64_t seed_state = 1337;
  trial.ensure_active_values(seed_state);
  EXPECT_EQ(seed_state, 1340);
  EXPECT_EQ(trial.values(),
            (ValueMap{{"units", I(320)}, {"lr", F(0.005421195615159703)}, {"act", S("tanh")}}));
  // Nothing missing: nothing drawn.
  trial.ensure_active_values(seed_state);
  EXPECT_EQ(seed_state, 1340);
}

TEST(HyperParametersTest, EnsureActiveValuesFollowsConditions) {
  HyperParameters space;
  space.Choice<std::string>("model", {"mlp", "cnn"});
  space.Int("units", 1, 8, {.parent_name = "model", .parent_values = {"mlp"}});
  space.Int("filters", 1, 8, {.parent_name = "model", .parent_values = {"cnn"}});
  space.Fixed("loss", "mse");

  HyperParameters trial = space.empty_copy();
  trial.set_value("model", S("cnn"));
  trial.set_value("units", I(3));         // inactive under cnn: removed
  trial.set_value("tuner/epochs", I(2));  // outside the space: kept
  std::int64_t seed_state = 0;
  trial.ensure_active_values(seed_state);
  EXPECT_EQ(seed_state, 2);  // filters and loss (a Fixed value also uses a seed)
  EXPECT_FALSE(trial.contains("units"));
  EXPECT_TRUE(trial.contains("filters"));
  EXPECT_EQ(trial.get("loss"), S("mse"));
  EXPECT_EQ(trial.get("tuner/epochs"), I(2));
  // random.Random(0).random() == 0.8444218515250481 -> index 6 of 1..8
  EXPECT_EQ(trial.get("filters"), I(7));
}

TEST(HyperParametersTest, ScopesCanBeMoved) {
  HyperParameters hp;
  hp.Boolean("flag");
  {
    auto outer = hp.name_scope("outer");
    auto moved = std::move(outer);
    hp.Int("x", 0, 1);
  }
  hp.Int("y", 0, 1);
  EXPECT_EQ(names_of(hp.space()), (std::vector<std::string>{"flag", "outer/x", "y"}));
}

}  // namespace
}  // namespace synalinks

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/throws.hpp"
#include "support/values.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameters.hpp"

namespace synalinks {
namespace {

using synalinks::testing::F;
using synalinks::testing::I;
using synalinks::testing::message_of;
using synalinks::testing::S;
using ::testing::HasSubstr;

// The "hyperparameters" object of a keras-tuner trial.json (RandomSearch, conditional `units`).
constexpr const char* kKerasTrialHyperparameters = R"({"space": [
   {"class_name": "Choice", "config": {"name": "model_type", "default": "mlp", "conditions": [], "values": ["mlp", "cnn"], "ordered": false}},
   {"class_name": "Int", "config": {"name": "units", "default": null, "conditions": [{"class_name": "Parent", "config": {"name": "model_type", "values": ["mlp"]}}], "min_value": 32, "max_value": 512, "step": 32, "sampling": "linear"}},
   {"class_name": "Float", "config": {"name": "lr", "default": 0.0001, "conditions": [], "min_value": 0.0001, "max_value": 0.01, "step": null, "sampling": "log"}},
   {"class_name": "Boolean", "config": {"name": "dropout", "default": false, "conditions": []}},
   {"class_name": "Fixed", "config": {"name": "loss", "conditions": [], "value": "mse"}}],
  "values": {"model_type": "mlp", "units": 320, "lr": 0.005421195615159703, "dropout": true, "loss": "mse"}})";

TEST(HyperParameterJsonTest, ConfigFormHasKerasTunerKeyOrder) {
  EXPECT_EQ(HyperParameter::integer("units", 32, 512, {.step = 32}).to_json().dump(),
            R"({"class_name":"Int","config":{"name":"units","default":32,"conditions":[],)"
            R"("min_value":32,"max_value":512,"step":32,"sampling":"linear"}})");
  EXPECT_EQ(HyperParameter::integer("n", 1, 100, {.sampling = Sampling::log}).to_json().dump(),
            R"({"class_name":"Int","config":{"name":"n","default":1,"conditions":[],)"
            R"("min_value":1,"max_value":100,"step":null,"sampling":"log"}})");
  EXPECT_EQ(
      HyperParameter::floating("lr", 1e-4, 1e-2, {.sampling = Sampling::log}).to_json().dump(),
      R"({"class_name":"Float","config":{"name":"lr","default":0.0001,"conditions":[],)"
      R"("min_value":0.0001,"max_value":0.01,"step":null,"sampling":"log"}})");
  EXPECT_EQ(HyperParameter::floating("x", 0, 2, {.step = 1.0}).to_json().dump(),
            R"({"class_name":"Float","config":{"name":"x","default":0.0,"conditions":[],)"
            R"("min_value":0.0,"max_value":2.0,"step":1.0,"sampling":"linear"}})");
  EXPECT_EQ(HyperParameter::choice("act", {S("relu"), S("tanh")}, {.default_value = S("tanh")})
                .to_json()
                .dump(),
            R"({"class_name":"Choice","config":{"name":"act","default":"tanh","conditions":[],)"
            R"("values":["relu","tanh"],"ordered":false}})");
  EXPECT_EQ(HyperParameter::boolean("b", {.default_value = true}, {Condition{"act", {S("relu")}}})
                .to_json()
                .dump(),
            R"({"class_name":"Boolean","config":{"name":"b","default":true,"conditions":[)"
            R"({"class_name":"Parent","config":{"name":"act","values":["relu"]}}]}})");
  EXPECT_EQ(HyperParameter::fixed("loss", S("mse")).to_json().dump(),
            R"({"class_name":"Fixed","config":{"name":"loss","conditions":[],"value":"mse"}})");
}

TEST(HyperParameterJsonTest, EveryKindRoundTrips) {
  const std::vector<HyperParameter> hps = {
      HyperParameter::boolean("b", {.default_value = true}),
      HyperParameter::integer("i", -5, 5, {.step = 2, .default_value = 1}),
      HyperParameter::integer("l", 2, 64,
                              {.step = 2, .sampling = Sampling::log, .default_value = 8}),
      HyperParameter::integer("n", 1, 100, {.sampling = Sampling::reverse_log}),
      HyperParameter::floating("f", 0, 1, {.step = 0.1, .default_value = 0.3}),
      HyperParameter::floating("g", 1e-5, 1, {.sampling = Sampling::log, .default_value = 1e-3}),
      HyperParameter::choice("c", {F(0.5), F(1.0)}, {.default_value = F(1.0), .ordered = false}),
      HyperParameter::choice("d", {Value(true), Value(false)}),
      HyperParameter::choice("e", {I(1), I(2)}, {}, {Condition{"b", {Value(true), I(3)}}}),
      HyperParameter::fixed("x", F(3.0)),
      HyperParameter::fixed("y", I(3)),
  };
  for (const auto& hp : hps) {
    const Json json = hp.to_json();
    const HyperParameter back = HyperParameter::from_json(Json::parse(json.dump()));
    EXPECT_TRUE(back.same_declaration(hp)) << json.dump();
    EXPECT_EQ(back.to_json(), json);
    EXPECT_EQ(back.default_value().index(), hp.default_value().index()) << json.dump();
  }
}

TEST(HyperParametersJsonTest, ContainerRoundTrip) {
  HyperParameters hp;
  hp.Choice<std::string>("model", {"mlp", "cnn"});
  {
    auto scope = hp.conditional_scope("model", {"mlp"});
    hp.Int("units", 32, 512, {.step = 32});
  }
  hp.Float("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  hp.Boolean("dropout");
  hp.Fixed("loss", "mse");
  hp.Float("one", 0.0, 2.0, {.default_value = 1.0});
  hp.set_value("tuner/epochs", I(4));

  const Json json = hp.to_json();
  const HyperParameters back = HyperParameters::from_json(Json::parse(json.dump()));
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(back.values(), hp.values());
  ASSERT_EQ(back.space().size(), hp.space().size());
  for (std::size_t i = 0; i < hp.space().size(); ++i) {
    EXPECT_TRUE(back.space()[i].same_declaration(hp.space()[i])) << i;
  }
  // Integers stay integers, floats stay floats.
  EXPECT_EQ(json["values"]["units"].dump(), "32");
  EXPECT_EQ(json["values"]["one"].dump(), "1.0");
  EXPECT_EQ(back.get("one"), F(1.0));
}

TEST(HyperParametersJsonTest, ReadsAKerasTunerTrialFile) {
  const HyperParameters hp = HyperParameters::from_json(Json::parse(kKerasTrialHyperparameters));
  ASSERT_EQ(hp.space().size(), 5U);
  const HyperParameter& units = hp.space()[1];
  EXPECT_EQ(units.kind(), HpKind::integer);
  EXPECT_EQ(units.default_value(), I(32));  // null default: min_value
  EXPECT_EQ(units.step(), 32.0);
  EXPECT_EQ(units.conditions(), (std::vector<Condition>{Condition{"model_type", {S("mlp")}}}));
  const HyperParameter& lr = hp.space()[2];
  EXPECT_EQ(lr.sampling(), Sampling::log);
  EXPECT_FALSE(lr.step().has_value());
  EXPECT_FALSE(hp.space()[0].ordered());
  EXPECT_EQ(hp.space()[4].default_value(), S("mse"));

  EXPECT_EQ(hp.values(), (ValueMap{{"model_type", S("mlp")},
                                   {"units", I(320)},
                                   {"lr", F(0.005421195615159703)},
                                   {"dropout", Value(true)},
                                   {"loss", S("mse")}}));
  EXPECT_EQ(hp.get<std::int64_t>("units"), 320);
  EXPECT_TRUE(hp.get<bool>("dropout"));

  // Written back, the Int default becomes explicit and everything else is as read.
  const Json written = hp.to_json();
  EXPECT_EQ(written["space"][1]["config"]["default"], Json(32));
  Json expected = Json::parse(kKerasTrialHyperparameters);
  expected["space"][1]["config"]["default"] = 32;
  EXPECT_EQ(written, expected);
}

TEST(HyperParametersJsonTest, AcceptsKerasTunerVariants) {
  // `ordered` absent, `sampling` upper case, integral floats for Int fields, conditions absent,
  // an int Float step, values absent.
  const HyperParameters hp = HyperParameters::from_json(Json::parse(R"({"space": [
    {"class_name": "Choice", "config": {"name": "c", "default": null, "values": [1, 2]}},
    {"class_name": "Int", "config": {"name": "i", "min_value": 0.0, "max_value": 10.0, "step": 2.0, "sampling": "LINEAR", "default": 4.0}},
    {"class_name": "Float", "config": {"name": "f", "default": 0.01, "min_value": 0.01, "max_value": 100, "step": 10, "sampling": "log"}},
    {"class_name": "Boolean", "config": {"name": "b", "default": 1}}
  ]})"));
  ASSERT_EQ(hp.space().size(), 4U);
  EXPECT_TRUE(hp.space()[0].ordered());
  EXPECT_EQ(hp.space()[0].default_value(), I(1));
  EXPECT_EQ(hp.space()[1].default_value(), I(4));
  EXPECT_EQ(hp.space()[2].grid_values().size(), 5U);
  EXPECT_EQ(hp.space()[3].default_value(), Value(true));
  EXPECT_TRUE(hp.values().empty());
}

TEST(HyperParametersJsonTest, RepeatedEntryReplacesTheEarlierOne) {
  const HyperParameters hp = HyperParameters::from_json(Json::parse(R"({"space": [
    {"class_name": "Int", "config": {"name": "a", "min_value": 0, "max_value": 100}},
    {"class_name": "Fixed", "config": {"name": "a", "value": 3}}
  ], "values": {"a": 3}})"));
  ASSERT_EQ(hp.space().size(), 1U);
  EXPECT_EQ(hp.space()[0].kind(), HpKind::fixed);
  EXPECT_EQ(hp.get("a"), I(3));
}

TEST(HyperParametersJsonTest, ValuesTakeTheDeclaredTypeWhenLossless) {
  const HyperParameters hp = HyperParameters::from_json(Json::parse(R"({"space": [
    {"class_name": "Int", "config": {"name": "i", "min_value": 0, "max_value": 10}},
    {"class_name": "Float", "config": {"name": "f", "min_value": 0, "max_value": 10}}
  ], "values": {"i": 3.0, "f": 2, "other": 1.5}})"));
  EXPECT_EQ(hp.get("i"), I(3));
  EXPECT_EQ(hp.get("f"), F(2.0));
  EXPECT_EQ(hp.get("other"), F(1.5));
}

struct MalformedCase {
  const char* json;
  std::vector<const char*> fragments;
};

TEST(HyperParametersJsonTest, MalformedInputIsRejectedWithTheEntryAndField) {
  const std::vector<MalformedCase> cases = {
      {R"([1, 2])", {"hyperparameters: expected an object"}},
      {R"({"values": {}})", {"field 'space' must be an array", "received nothing"}},
      {R"({"space": {}})", {"field 'space' must be an array"}},
      {R"({"space": [42]})", {"space[0]", "expected an object"}},
      {R"({"space": [{"config": {}}]})", {"space[0]", "field 'class_name'", "received nothing"}},
      {R"({"space": [{"class_name": "Discrete", "config": {}}]})",
       {"space[0]", "unsupported class_name \"Discrete\""}},
      {R"({"space": [{"class_name": "Int", "config": []}]})",
       {"space[0]", "Int: field 'config' must be an object"}},
      {R"({"space": [{"class_name": "Int", "config": {"min_value": 1, "max_value": 2}}]})",
       {"space[0]", "field 'name' is missing"}},
      {R"({"space": [{"class_name": "Boolean", "config": {"name": "ok"}},
                     {"class_name": "Int", "config": {"name": "j", "min_value": 0.5, "max_value": 10}}]})",
       {"space[1]",
        "Int 'j': field 'min_value' must be an integer (it must be an int); received 0.5"}},
      {R"({"space": [{"class_name": "Int", "config": {"name": "j", "min_value": "a", "max_value": 10}}]})",
       {"Int 'j': field 'min_value'", "received \"a\""}},
      {R"({"space": [{"class_name": "Int", "config": {"name": "j", "min_value": 0}}]})",
       {"Int 'j': field 'max_value' is missing"}},
      {R"({"space": [{"class_name": "Int", "config": {"name": "j", "min_value": 0, "max_value": 10, "sampling": "cubic"}}]})",
       {"field 'sampling' must be one of", "received \"cubic\""}},
      {R"({"space": [{"class_name": "Int", "config": {"name": "j", "min_value": 5, "max_value": 1}}]})",
       {"space[0]", "min_value 5 is greater than max_value 1"}},
      {R"({"space": [{"class_name": "Float", "config": {"name": "f", "min_value": 0, "max_value": 1, "step": "x"}}]})",
       {"Float 'f': field 'step' must be a number"}},
      {R"({"space": [{"class_name": "Float", "config": {"name": "f", "min_value": 0, "max_value": 1, "sampling": "log"}}]})",
       {"does not support negative values"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": []}}]})",
       {"Choice 'c': field 'values' must be a non-empty array"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": [1, null]}}]})",
       {"Choice 'c': field 'values'[1]", "expected a bool, a number or a string"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": [1, "a"]}}]})",
       {"can contain only one type"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": ["a"], "ordered": true}}]})",
       {"`ordered` must be `False`"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": ["a"], "ordered": "no"}}]})",
       {"field 'ordered' must be a bool"}},
      {R"({"space": [{"class_name": "Choice", "config": {"name": "c", "values": ["a"], "default": "b"}}]})",
       {"default value should be one of the choices"}},
      {R"({"space": [{"class_name": "Boolean", "config": {"name": "b", "default": "yes"}}]})",
       {"Boolean 'b': field 'default' must be a bool"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": null}}]})",
       {"Fixed 'x': field 'value' is missing"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": [1]}}]})",
       {"Fixed 'x': field 'value'", "expected a bool, a number or a string"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": {"a": 1}}}]})",
       {"Fixed 'x': field 'value'"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": 1, "conditions": {}}}]})",
       {"field 'conditions' must be an array"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": 1, "conditions": [{"class_name": "Child", "config": {"name": "a", "values": [1]}}]}}]})",
       {"Fixed 'x': conditions[0]", "expected class_name \"Parent\""}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": 1, "conditions": [{"class_name": "Parent", "config": {"name": "a", "values": []}}]}}]})",
       {"conditions[0]", "\"values\" to be a non-empty array"}},
      {R"({"space": [{"class_name": "Fixed", "config": {"name": "x", "value": 1, "conditions": [{"class_name": "Parent", "config": {"name": "x", "values": [1]}}]}}]})",
       {"cannot have the same name as its parent"}},
      {R"({"space": [], "values": [1]})", {"field 'values'", "expected an object"}},
      {R"({"space": [], "values": {"a": null}})", {"field 'values'", "value of 'a'"}},
  };
  for (const auto& test : cases) {
    const std::string message = message_of<InvalidArgument>(
        [&] { (void)HyperParameters::from_json(Json::parse(test.json)); });
    for (const char* fragment : test.fragments) {
      EXPECT_THAT(message, HasSubstr(fragment)) << test.json;
    }
  }
}

// Replacing any field of a valid document by a value of another type is either accepted or
// rejected with InvalidArgument: never a crash, never another exception.
TEST(HyperParametersJsonTest, CorruptedFieldsOnlyEverRaiseInvalidArgument) {
  const Json valid = Json::parse(kKerasTrialHyperparameters);
  const std::vector<Json> replacements = {Json(nullptr),
                                          Json(true),
                                          Json(-1),
                                          Json(0),
                                          Json(1.5),
                                          Json("text"),
                                          Json::array(),
                                          Json::object(),
                                          Json(std::numeric_limits<std::uint64_t>::max()),
                                          Json::array({1, "a"})};
  std::vector<Json::json_pointer> pointers;
  const Json flat = valid.flatten();
  for (const auto& [path, leaf] : flat.items()) {
    Json::json_pointer pointer(path);
    // Every ancestor of a leaf is a field too.
    while (!pointer.empty()) {
      if (std::find(pointers.begin(), pointers.end(), pointer) == pointers.end()) {
        pointers.push_back(pointer);
      }
      pointer = pointer.parent_pointer();
    }
  }
  int rejected = 0;
  for (const auto& pointer : pointers) {
    for (const Json& replacement : replacements) {
      Json corrupted = valid;
      corrupted[pointer] = replacement;
      try {
        const HyperParameters hp = HyperParameters::from_json(corrupted);
        (void)hp.to_json();
      } catch (const InvalidArgument&) {
        ++rejected;
      } catch (const std::exception& error) {
        ADD_FAILURE() << pointer.to_string() << " = " << replacement.dump() << ": " << error.what();
      }
    }
  }
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace synalinks

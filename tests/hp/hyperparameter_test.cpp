#include "synalinks/hp/hyperparameter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Value> ints(std::initializer_list<std::int64_t> values) {
  std::vector<Value> out;
  for (const auto v : values) out.emplace_back(v);
  return out;
}

std::vector<Value> floats(std::initializer_list<double> values) {
  std::vector<Value> out;
  for (const auto v : values) out.emplace_back(v);
  return out;
}

// --- unit-interval mapping: the vectors are CPython results of keras-tuner's code ---

TEST(HyperParameterMappingTest, IntLinear) {
  const auto hp = HyperParameter::integer("i", 5, 9);
  // keras-tuner computes (1 + 0.5) * (1 / 5), which is 0.30000000000000004 in doubles.
  EXPECT_EQ(hp.value_to_prob(I(6)), 0.30000000000000004);
  EXPECT_NEAR(hp.value_to_prob(I(6)), 0.3, 1e-12);

  const auto ten = HyperParameter::integer("j", 0, 10);
  EXPECT_EQ(ten.value_to_prob(I(0)), 0.045454545454545456);
  EXPECT_EQ(ten.value_to_prob(I(10)), 0.9545454545454546);
  EXPECT_EQ(ten.prob_to_value(0.999), I(10));
  EXPECT_EQ(ten.prob_to_value(0.0), I(0));
  for (std::int64_t v = 0; v <= 10; ++v) {
    EXPECT_EQ(ten.prob_to_value(ten.value_to_prob(I(v))), I(v)) << v;
  }
}

TEST(HyperParameterMappingTest, IntLogWithStep) {
  const auto hp = HyperParameter::integer("batch", 2, 32, {.step = 2, .sampling = Sampling::log});
  EXPECT_EQ(hp.grid_values(), ints({2, 4, 8, 16, 32}));
  EXPECT_EQ(hp.value_to_prob(I(4)), 0.30000000000000004);
  EXPECT_EQ(hp.prob_to_value(0.3), I(4));
  EXPECT_EQ(hp.prob_to_value(1.0), I(32));
}

TEST(HyperParameterMappingTest, IntLogWithoutStepIsContinuousAndTruncated) {
  const auto hp = HyperParameter::integer("n", 1, 100, {.sampling = Sampling::log});
  EXPECT_FALSE(hp.step().has_value());
  EXPECT_EQ(hp.prob_to_value(0.5), I(10));
  EXPECT_EQ(hp.value_to_prob(I(10)), 0.5094937929752777);
  // keras-tuner maps p = 1 to max + 1; we clamp it into the domain.
  EXPECT_EQ(hp.prob_to_value(1.0), I(100));
  EXPECT_EQ(hp.grid_values(), ints({1, 3, 5, 7, 12, 20, 31, 50, 80}));

  const auto small = HyperParameter::integer("m", 2, 32, {.sampling = Sampling::log});
  for (std::int64_t v = 2; v <= 32; ++v) {
    EXPECT_EQ(small.prob_to_value(small.value_to_prob(I(v))), I(v)) << v;
  }
}

TEST(HyperParameterMappingTest, FloatLinearAndLog) {
  const auto linear = HyperParameter::floating("x", 1, 11);
  EXPECT_EQ(linear.value_to_prob(F(4.5)), 0.35);
  EXPECT_EQ(linear.prob_to_value(0.35), F(4.5));
  EXPECT_EQ(linear.prob_to_value(1.0), F(11.0));

  const auto lr = HyperParameter::floating("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  EXPECT_EQ(lr.value_to_prob(F(1e-3)), 0.5);

  const auto wide = HyperParameter::floating("w", 1e-3, 1e3, {.sampling = Sampling::log});
  EXPECT_NEAR(wide.value_to_prob(F(1e-3)), 0.0, 1e-12);
  EXPECT_NEAR(wide.value_to_prob(F(1.0)), 0.5, 1e-12);
  EXPECT_NEAR(wide.value_to_prob(F(1e3)), 1.0, 1e-12);
}

TEST(HyperParameterMappingTest, FloatReverseLog) {
  const auto hp = HyperParameter::floating("r", 1e-3, 1e3, {.sampling = Sampling::reverse_log});
  EXPECT_EQ(hp.prob_to_value(0.5), F(999.001));
  EXPECT_NEAR(hp.value_to_prob(F(999.001)), 0.5, 1e-12);
}

TEST(HyperParameterMappingTest, FloatLogWithStep) {
  const auto hp =
      HyperParameter::floating("f", 0.01, 100, {.step = 10.0, .sampling = Sampling::log});
  EXPECT_EQ(hp.grid_values(), floats({0.01, 0.1, 1.0, 10.0, 100.0}));
  EXPECT_NEAR(hp.value_to_prob(F(0.1)), 0.3, 1e-12);
  EXPECT_EQ(hp.prob_to_value(0.3), F(0.1));
}

TEST(HyperParameterMappingTest, FloatReverseLogWithStepDescends) {
  const auto hp =
      HyperParameter::floating("f", 0.01, 100, {.step = 10.0, .sampling = Sampling::reverse_log});
  const std::vector<Value> grid = hp.grid_values();
  ASSERT_EQ(grid.size(), 5U);
  // keras-tuner: [100.0, 99.91000000000001, 99.01, 90.01, 0.010000000000005116]; the last
  // point is min itself here.
  EXPECT_EQ(grid[0], F(100.0));
  EXPECT_EQ(grid[1], F(99.91000000000001));
  EXPECT_EQ(grid[2], F(99.01));
  EXPECT_EQ(grid[3], F(90.01));
  EXPECT_EQ(grid[4], F(0.01));
  EXPECT_NEAR(hp.value_to_prob(F(99.91)), 0.3, 1e-4);
  EXPECT_EQ(hp.prob_to_value(0.3), F(99.91000000000001));
}

TEST(HyperParameterMappingTest, ZeroWidthRanges) {
  const auto hp = HyperParameter::floating("z", 2, 2);
  EXPECT_EQ(hp.value_to_prob(F(2.0)), 0.5);
  EXPECT_EQ(hp.random_sample(1), F(2.0));
  EXPECT_EQ(hp.random_sample(123), F(2.0));
  const auto i = HyperParameter::integer("i", 7, 7);
  EXPECT_EQ(i.grid_values(), ints({7}));
  EXPECT_EQ(i.random_sample(5), I(7));
}

TEST(HyperParameterMappingTest, BooleanChoiceFixed) {
  const auto flag = HyperParameter::boolean("b", {.default_value = false});
  EXPECT_EQ(flag.prob_to_value(0.49), Value(false));
  EXPECT_EQ(flag.prob_to_value(0.5), Value(true));
  EXPECT_EQ(flag.value_to_prob(Value(true)), 0.75);
  EXPECT_EQ(flag.value_to_prob(Value(false)), 0.25);

  const auto choice = HyperParameter::choice("c", {S("a"), S("b"), S("c")});
  EXPECT_EQ(choice.prob_to_value(0.0), S("a"));
  EXPECT_EQ(choice.prob_to_value(0.34), S("b"));
  EXPECT_EQ(choice.prob_to_value(1.0), S("c"));
  EXPECT_EQ(choice.value_to_prob(S("b")), 0.5);
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)choice.value_to_prob(S("z")); }),
              HasSubstr("not one of the choices"));

  const auto fixed = HyperParameter::fixed("f", I(3));
  EXPECT_EQ(fixed.prob_to_value(0.9), I(3));
  EXPECT_EQ(fixed.value_to_prob(I(3)), 0.5);
  EXPECT_THROW((void)fixed.value_to_prob(I(4)), InvalidArgument);
}

TEST(HyperParameterMappingTest, ValueToProbRejectsValuesOutsideTheDomainOrOfTheWrongType) {
  const auto hp = HyperParameter::integer("units", 0, 10);
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)hp.value_to_prob(I(11)); }),
              HasSubstr("outside the domain"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)hp.value_to_prob(S("3")); }),
              HasSubstr("expected an int"));
  EXPECT_EQ(hp.value_to_prob(F(3.0)), hp.value_to_prob(I(3)));  // lossless conversion
  EXPECT_THROW((void)hp.prob_to_value(std::nan("")), InvalidArgument);
}

// --- grids ---

TEST(HyperParameterGridTest, SteppedGrids) {
  EXPECT_EQ(HyperParameter::integer("a", 2, 8, {.step = 2}).grid_values(), ints({2, 4, 6, 8}));
  EXPECT_EQ(
      HyperParameter::integer("b", 2, 8, {.step = 2, .sampling = Sampling::log}).grid_values(),
      ints({2, 4, 8}));
  EXPECT_EQ(HyperParameter::integer("c", 6, 13, {.step = 3}).grid_values(), ints({6, 9, 12}));
  EXPECT_EQ(HyperParameter::integer("d", 2, 20).grid_values().size(), 19U);
  EXPECT_EQ(HyperParameter::integer("d", 2, 20).grid_values().front(), I(2));
  EXPECT_EQ(HyperParameter::integer("d", 2, 20).grid_values().back(), I(20));
  EXPECT_EQ(HyperParameter::floating("e", 2, 8, {.step = 2.0}).grid_values(),
            floats({2.0, 4.0, 6.0, 8.0}));
  EXPECT_EQ(HyperParameter::integer("f", 1, 1000, {.step = 10, .sampling = Sampling::reverse_log})
                .grid_values(),
            ints({1000, 991, 901, 1}));
}

TEST(HyperParameterGridTest, FloatGridIncludesMaxOnTheGrid) {
  // keras-tuner computes 1.0 // 0.1 == 9.0 and never produces 1.0; we do.
  const auto tenth = HyperParameter::floating("x", 0, 1, {.step = 0.1});
  EXPECT_EQ(tenth.grid_values(), floats({0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5,
                                         0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1.0}));
  EXPECT_EQ(tenth.prob_to_value(1.0), F(1.0));
  // 0.3 lies on the grid (as 0.30000000000000004) and maps back to it, not to 0.2.
  EXPECT_TRUE(tenth.contains(F(0.3)));
  EXPECT_EQ(tenth.prob_to_value(tenth.value_to_prob(F(0.3))), F(0.30000000000000004));
  for (const Value& v : tenth.grid_values()) {
    EXPECT_EQ(tenth.prob_to_value(tenth.value_to_prob(v)), v) << to_string(v);
  }

  const auto fifth = HyperParameter::floating("y", 0, 1, {.step = 0.2});
  EXPECT_EQ(fifth.grid_values(), floats({0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0}));

  // Off-grid max stays excluded.
  EXPECT_EQ(HyperParameter::floating("z", 0, 1, {.step = 0.3}).grid_values(),
            floats({0.0, 0.3, 0.6, 0.8999999999999999}));
  EXPECT_FALSE(HyperParameter::floating("z", 0, 1, {.step = 0.3}).contains(F(1.0)));
}

TEST(HyperParameterGridTest, UnsteppedGridsUseTenBucketCentres) {
  const auto hp = HyperParameter::floating("x", 1, 2);
  EXPECT_EQ(hp.grid_values(), floats({1.05, 1.15, 1.25, 1.35, 1.45, 1.55, 1.6500000000000001, 1.75,
                                      1.85, 1.9500000000000002}));
  const auto lr = HyperParameter::floating("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  const auto grid = lr.grid_values();
  ASSERT_EQ(grid.size(), 10U);
  EXPECT_EQ(grid[0], F(0.00012589254117941674));
  EXPECT_EQ(grid[9], F(0.007943282347242817));
}

TEST(HyperParameterGridTest, BooleanChoiceFixedGrids) {
  EXPECT_THAT(HyperParameter::boolean("b", {.default_value = true}).grid_values(),
              ElementsAre(Value(false), Value(true)));
  EXPECT_EQ(HyperParameter::choice("c", {S("x"), S("y")}).grid_values(),
            (std::vector<Value>{S("x"), S("y")}));
  EXPECT_EQ(HyperParameter::fixed("f", S("mse")).grid_values(), (std::vector<Value>{S("mse")}));
}

TEST(HyperParameterGridTest, HugeGridsAreRefused) {
  const auto hp = HyperParameter::integer("big", 0, 1'000'000'000);
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)hp.grid_values(); }),
              HasSubstr("1000000001 values"));
  // Sampling such a domain is fine.
  EXPECT_EQ(hp.prob_to_value(0.5), I(500'000'000));
}

// --- sampling ---

TEST(HyperParameterSampleTest, WorkedExampleOfSeed1337) {
  const auto units = HyperParameter::integer("units", 32, 512, {.step = 32});
  const auto lr = HyperParameter::floating("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  const auto act = HyperParameter::choice("act", {S("relu"), S("tanh")});
  EXPECT_EQ(units.prob_to_value(0.6177528569514706), I(320));
  EXPECT_EQ(lr.prob_to_value(0.8670475391920119), F(0.005421195615159703));
  EXPECT_EQ(act.prob_to_value(0.62771193091902), S("tanh"));
  EXPECT_EQ(units.random_sample(1337), I(320));
  EXPECT_EQ(lr.random_sample(1338), F(0.005421195615159703));
  EXPECT_EQ(act.random_sample(1339), S("tanh"));
}

TEST(HyperParameterSampleTest, SameSeedSameValueForEveryKind) {
  const std::vector<HyperParameter> hps = {
      HyperParameter::boolean("b", {.default_value = false}),
      HyperParameter::integer("i", 0, 100),
      HyperParameter::integer("l", 1, 1000, {.sampling = Sampling::log}),
      HyperParameter::floating("f", 0, 1),
      HyperParameter::floating("s", 0, 1, {.step = 0.25}),
      HyperParameter::choice("c", {S("a"), S("b"), S("c")}),
      HyperParameter::fixed("x", F(0.5)),
  };
  for (const auto& hp : hps) {
    const Value first = hp.random_sample(123);
    EXPECT_EQ(hp.random_sample(123), first) << hp.describe();
    EXPECT_TRUE(hp.contains(first)) << hp.describe() << " drew " << to_string(first);
  }
  // random.Random(123).random() == 0.052363598850944326
  EXPECT_EQ(hps[1].random_sample(123), I(5));
  EXPECT_EQ(hps[3].random_sample(123), F(0.052363598850944326));
  EXPECT_EQ(hps[4].random_sample(123), F(0.0));
  EXPECT_EQ(hps[6].random_sample(123), F(0.5));
}

// --- validation: every message names the parameter, what was expected and what was received ---

TEST(HyperParameterValidationTest, MinGreaterThanMax) {
  EXPECT_EQ(message_of<InvalidArgument>([] { HyperParameter::integer("units", 10, 1); }),
            "Int 'units': min_value 10 is greater than max_value 1; expected min_value <= "
            "max_value");
  EXPECT_EQ(message_of<InvalidArgument>([] { HyperParameter::floating("lr", 1.0, 0.0); }),
            "Float 'lr': min_value 1.0 is greater than max_value 0.0; expected min_value <= "
            "max_value");
  EXPECT_NO_THROW(HyperParameter::integer("same", 3, 3));
}

TEST(HyperParameterValidationTest, LogSamplingNeedsPositiveMin) {
  EXPECT_THAT(message_of<InvalidArgument>(
                  [] { HyperParameter::integer("n", 0, 10, {.sampling = Sampling::log}); }),
              HasSubstr("Int 'n': sampling='log' does not support negative values or zero; "
                        "expected min_value > 0, received min_value 0"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::floating("x", -1, 10, {.sampling = Sampling::reverse_log});
              }),
              HasSubstr("sampling='reverse_log' does not support negative values"));
}

TEST(HyperParameterValidationTest, StepMustBePositiveAndAboveOneForLog) {
  EXPECT_THAT(message_of<InvalidArgument>([] { HyperParameter::integer("n", 0, 10, {.step = 0}); }),
              HasSubstr("Int 'n': expected step > 0; received step=0"));
  EXPECT_THAT(
      message_of<InvalidArgument>([] { HyperParameter::floating("x", 0, 1, {.step = -0.1}); }),
      HasSubstr("Float 'x': expected step > 0; received step=-0.1"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::integer("n", 1, 10, {.step = 1, .sampling = Sampling::log});
              }),
              HasSubstr("Int 'n': expected step > 1 with sampling='log'; received step=1"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::floating("x", 1, 10,
                                         {.step = 0.5, .sampling = Sampling::reverse_log});
              }),
              HasSubstr("expected step > 1 with sampling='reverse_log'; received step=0.5"));
}

TEST(HyperParameterValidationTest, DefaultMustLieInTheDomain) {
  EXPECT_EQ(message_of<InvalidArgument>(
                [] { HyperParameter::integer("n", 0, 10, {.default_value = 11}); }),
            "Int 'n': default 11 is not in the domain; expected an int in [0, 10], received 11");
  EXPECT_THAT(message_of<InvalidArgument>(
                  [] { HyperParameter::integer("n", 0, 10, {.step = 2, .default_value = 3}); }),
              HasSubstr("default 3 is not in the domain; expected one of [0, 2, 4, 6, 8, 10], "
                        "received 3"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::floating("x", 0, 1, {.step = 0.25, .default_value = 0.3});
              }),
              HasSubstr("Float 'x': default 0.3 is not in the domain; expected one of [0.0, "
                        "0.25, 0.5, 0.75, 1.0], received 0.3"));
  EXPECT_THAT(message_of<InvalidArgument>(
                  [] { HyperParameter::floating("x", 0, 1, {.default_value = 2}); }),
              HasSubstr("expected a float in [0.0, 1.0], received 2.0"));
  EXPECT_THAT(message_of<InvalidArgument>(
                  [] { HyperParameter::integer("n", 0, 1000, {.step = 3, .default_value = 500}); }),
              HasSubstr("on the grid 0 + k * 3"));
  // On the grid within tolerance is accepted.
  EXPECT_NO_THROW(HyperParameter::floating("x", 0, 1, {.step = 0.1, .default_value = 0.3}));
  EXPECT_NO_THROW(HyperParameter::integer("n", 0, 10, {.step = 2, .default_value = 10}));
}

TEST(HyperParameterValidationTest, ChoiceErrors) {
  EXPECT_THAT(message_of<InvalidArgument>([] { HyperParameter::choice("c", {}); }),
              HasSubstr("Choice 'c': expected at least one value (`values` must be provided)"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::choice("c", {I(1), S("a")});
              }),
              HasSubstr("Choice 'c': a Choice can contain only one type of value; expected every "
                        "value to be an int like 1, received 'a' (str) in [1, 'a']"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::choice("c", {I(1), F(2.0)});
              }),
              HasSubstr("can contain only one type"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::choice("c", {I(1), Value(true)});
              }),
              HasSubstr("can contain only one type"));
  EXPECT_THAT(
      message_of<InvalidArgument>([] {
        HyperParameter::choice("c", {S("a"), S("b")}, {.ordered = true});
      }),
      HasSubstr("`ordered` must be `False` for non-numeric types); received values of type str"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::choice("c", {Value(true), Value(false)}, {.ordered = true});
              }),
              HasSubstr("received values of type bool"));
  EXPECT_THAT(
      message_of<InvalidArgument>([] {
        HyperParameter::choice("c", {I(1), I(2)}, {.default_value = I(3)});
      }),
      HasSubstr("Choice 'c': the default value should be one of the choices; expected one of [1, "
                "2], received 3 (int)"));
  EXPECT_THROW(HyperParameter::choice("c", {S("a")}, {.default_value = I(1)}), InvalidArgument);
  // An integral default for float choices is the same number.
  EXPECT_EQ(HyperParameter::choice("c", {F(1.0), F(2.0)}, {.default_value = I(2)}).default_value(),
            F(2.0));
}

TEST(HyperParameterValidationTest, OtherErrors) {
  EXPECT_THAT(
      message_of<InvalidArgument>([] { HyperParameter::boolean("", {.default_value = true}); }),
      HasSubstr("expected a non-empty name"));
  EXPECT_THAT(message_of<InvalidArgument>([] { HyperParameter::fixed("f", F(std::nan(""))); }),
              HasSubstr("Fixed 'f'"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::integer("a", 0, 10, {}, {Condition{"a", {I(1)}}});
              }),
              HasSubstr("cannot have the same name as its parent"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::boolean("b", {.default_value = false}, {Condition{"a", {}}});
              }),
              HasSubstr("needs at least one parent value"));
  EXPECT_THAT(
      message_of<InvalidArgument>([] { HyperParameter::integer("n", 0, std::int64_t{1} << 60); }),
      HasSubstr("max_value must lie in [-2**53, 2**53]"));
  EXPECT_THAT(message_of<InvalidArgument>([] {
                HyperParameter::floating("x", 0, std::numeric_limits<double>::infinity());
              }),
              HasSubstr("expected a finite max_value; received inf"));
  EXPECT_THAT(
      message_of<InvalidArgument>([] { HyperParameter::floating("x", 0, 1, {.step = 1e-300}); }),
      HasSubstr("too small for the range"));
  EXPECT_THAT(message_of<InvalidArgument>(
                  [] { (void)HyperParameter::boolean("b", {.default_value = true}).step(); }),
              HasSubstr("defined for Int and Float only"));
}

// --- properties, contains, coerce ---

TEST(HyperParameterTest, DefaultsAndProperties) {
  const auto i = HyperParameter::integer("i", 3, 9);
  EXPECT_EQ(i.kind(), HpKind::integer);
  EXPECT_EQ(i.default_value(), I(3));
  EXPECT_EQ(i.step(), 1.0);  // linear Int without step has step 1
  EXPECT_EQ(i.sampling(), Sampling::linear);
  EXPECT_EQ(i.min_value(), 3.0);
  EXPECT_EQ(i.max_value(), 9.0);
  EXPECT_FALSE(i.ordered());

  const auto f = HyperParameter::floating("f", 0.5, 2);
  EXPECT_EQ(f.default_value(), F(0.5));
  EXPECT_FALSE(f.step().has_value());

  const auto c = HyperParameter::choice("c", {I(4), I(8)});
  EXPECT_EQ(c.default_value(), I(4));
  EXPECT_TRUE(c.ordered());
  EXPECT_FALSE(HyperParameter::choice("s", {S("a")}).ordered());
  EXPECT_FALSE(HyperParameter::choice("b", {Value(true), Value(false)}).ordered());
  EXPECT_EQ(HyperParameter::choice("b", {Value(true), Value(false)}).default_value(), Value(true));

  EXPECT_EQ(HyperParameter::boolean("b", {.default_value = false}).choices(),
            (std::vector<Value>{Value(true), Value(false)}));
  EXPECT_EQ(HyperParameter::fixed("x", S("v")).choices(), (std::vector<Value>{S("v")}));
  EXPECT_EQ(class_name(HpKind::floating), "Float");
  EXPECT_EQ(to_string(Sampling::reverse_log), "reverse_log");
}

TEST(HyperParameterTest, ContainsChecksTypeRangeAndGrid) {
  const auto i = HyperParameter::integer("i", 0, 10, {.step = 5});
  EXPECT_TRUE(i.contains(I(5)));
  EXPECT_FALSE(i.contains(I(4)));
  EXPECT_FALSE(i.contains(I(15)));
  EXPECT_FALSE(i.contains(F(5.0)));  // exact type; coerce converts

  const auto f = HyperParameter::floating("f", 0, 1);
  EXPECT_TRUE(f.contains(F(0.123)));
  EXPECT_FALSE(f.contains(F(1.5)));
  EXPECT_FALSE(f.contains(F(std::nan(""))));
  EXPECT_FALSE(f.contains(I(0)));

  const auto lg = HyperParameter::integer("l", 2, 32, {.step = 2, .sampling = Sampling::log});
  EXPECT_TRUE(lg.contains(I(16)));
  EXPECT_FALSE(lg.contains(I(12)));

  const auto c = HyperParameter::choice("c", {S("a"), S("b")});
  EXPECT_TRUE(c.contains(S("b")));
  EXPECT_FALSE(c.contains(S("z")));
  EXPECT_TRUE(HyperParameter::boolean("b", {.default_value = false}).contains(Value(true)));
  EXPECT_FALSE(HyperParameter::boolean("b", {.default_value = false}).contains(I(1)));
}

TEST(HyperParameterTest, CoerceConvertsOnlyWhenNothingIsLost) {
  const auto i = HyperParameter::integer("i", 0, 10);
  EXPECT_EQ(i.coerce(F(3.0)), I(3));
  EXPECT_EQ(i.coerce(I(3)), I(3));
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)i.coerce(F(3.5)); }),
              HasSubstr("Int 'i': cannot hold 3.5 (float); expected an int"));
  EXPECT_THROW((void)i.coerce(Value(true)), InvalidArgument);
  EXPECT_THROW((void)i.coerce(S("3")), InvalidArgument);

  const auto f = HyperParameter::floating("f", 0, 10);
  EXPECT_EQ(f.coerce(I(1)), F(1.0));
  EXPECT_THROW((void)f.coerce(S("1.0")), InvalidArgument);

  const auto b = HyperParameter::boolean("b", {.default_value = false});
  EXPECT_EQ(b.coerce(I(1)), Value(true));
  EXPECT_EQ(b.coerce(F(0.0)), Value(false));
  EXPECT_THROW((void)b.coerce(I(2)), InvalidArgument);

  const auto c = HyperParameter::choice("c", {F(0.5), F(1.0)});
  EXPECT_EQ(c.coerce(I(1)), F(1.0));
  const auto s = HyperParameter::choice("s", {S("a")});
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)s.coerce(I(1)); }),
              HasSubstr("Choice 's': cannot hold 1 (int); expected a str"));
}

TEST(HyperParameterTest, ConditionsUsePythonEquality) {
  const Condition condition{"a", {I(1), S("x")}};
  EXPECT_TRUE(condition.is_active(ValueMap{{"a", I(1)}}));
  EXPECT_TRUE(condition.is_active(ValueMap{{"a", F(1.0)}}));
  EXPECT_TRUE(condition.is_active(ValueMap{{"a", Value(true)}}));
  EXPECT_TRUE(condition.is_active(ValueMap{{"a", S("x")}}));
  EXPECT_FALSE(condition.is_active(ValueMap{{"a", S("1")}}));
  EXPECT_FALSE(condition.is_active(ValueMap{{"a", I(2)}}));
  EXPECT_FALSE(condition.is_active(ValueMap{{"b", I(1)}}));

  const auto hp =
      HyperParameter::integer("u", 0, 5, {}, {Condition{"a", {I(1)}}, Condition{"b", {S("y")}}});
  EXPECT_TRUE(hp.is_active(ValueMap{{"a", I(1)}, {"b", S("y")}}));
  EXPECT_FALSE(hp.is_active(ValueMap{{"a", I(1)}, {"b", S("n")}}));
  EXPECT_TRUE(HyperParameter::integer("v", 0, 5).is_active(ValueMap{}));
}

TEST(HyperParameterTest, SameDeclaration) {
  const auto a = HyperParameter::integer("n", 0, 10);
  EXPECT_TRUE(a.same_declaration(HyperParameter::integer("n", 0, 10)));
  EXPECT_TRUE(
      a.same_declaration(HyperParameter::integer("n", 0, 10, {.step = 1, .default_value = 0})));
  EXPECT_FALSE(a.same_declaration(HyperParameter::integer("n", 0, 11)));
  EXPECT_FALSE(a.same_declaration(HyperParameter::integer("n", 0, 10, {.step = 2})));
  EXPECT_FALSE(
      a.same_declaration(HyperParameter::integer("n", 0, 10, {.step = 1, .default_value = 5})));
  EXPECT_FALSE(a.same_declaration(HyperParameter::integer("m", 0, 10)));
  EXPECT_FALSE(a.same_declaration(HyperParameter::floating("n", 0, 10)));
  EXPECT_FALSE(
      a.same_declaration(HyperParameter::integer("n", 0, 10, {}, {Condition{"p", {I(1)}}})));
  EXPECT_FALSE(
      HyperParameter::choice("c", {I(1), I(2)})
          .same_declaration(HyperParameter::choice("c", {I(1), I(2)}, {.ordered = false})));
}

TEST(HyperParameterTest, DescribeReadsLikeKerasTunerRepr) {
  EXPECT_EQ(HyperParameter::integer("units", 32, 512, {.step = 32}).describe(),
            "Int(name: 'units', min_value: 32, max_value: 512, step: 32, sampling: linear, "
            "default: 32)");
  EXPECT_EQ(HyperParameter::floating("lr", 1e-4, 1e-2, {.sampling = Sampling::log}).describe(),
            "Float(name: 'lr', min_value: 0.0001, max_value: 0.01, step: None, sampling: log, "
            "default: 0.0001)");
  EXPECT_EQ(HyperParameter::choice("act", {S("relu"), S("tanh")}).describe(),
            "Choice(name: 'act', values: ['relu', 'tanh'], ordered: False, default: 'relu')");
  EXPECT_EQ(HyperParameter::boolean("b", {.default_value = false}).describe(),
            "Boolean(name: 'b', default: False)");
  EXPECT_EQ(HyperParameter::fixed("f", I(3), {}, {Condition{"a", {S("x")}}}).describe(),
            "Fixed(name: 'f', value: 3, conditions: [Parent(name: 'a', values: ['x'])])");
}

TEST(HyperParameterFactoryTest, TheOptionsParentIsOneMoreCondition) {
  const auto hp = HyperParameter::integer(
      "layers", 1, 4, {.step = 1, .parent_name = "model", .parent_values = {S("deep")}},
      {Condition{"family", {S("nn")}}});
  EXPECT_EQ(hp.conditions(), (std::vector<Condition>{Condition{"family", {S("nn")}},
                                                     Condition{"model", {S("deep")}}}));
  EXPECT_FALSE(hp.is_active(ValueMap{{"family", S("nn")}, {"model", S("wide")}}));
  EXPECT_TRUE(hp.is_active(ValueMap{{"family", S("nn")}, {"model", S("deep")}}));
  EXPECT_THAT(
      message_of<InvalidArgument>([] { HyperParameter::boolean("b", {.parent_name = "model"}); }),
      HasSubstr("expected both parent_name and parent_values or neither"));
}

}  // namespace
}  // namespace synalinks

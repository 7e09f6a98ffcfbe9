#include "synalinks/hp/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "synalinks/errors.hpp"

namespace synalinks {
namespace {

TEST(ValueTest, TypeOfAndTypeName) {
  EXPECT_EQ(type_of(Value(true)), ValueType::boolean);
  EXPECT_EQ(type_of(Value(std::int64_t{3})), ValueType::integer);
  EXPECT_EQ(type_of(Value(3.0)), ValueType::floating);
  EXPECT_EQ(type_of(Value(std::string("a"))), ValueType::string);
  EXPECT_EQ(type_name(ValueType::boolean), "bool");
  EXPECT_EQ(type_name(ValueType::integer), "int");
  EXPECT_EQ(type_name(ValueType::floating), "float");
  EXPECT_EQ(type_name(ValueType::string), "str");
}

TEST(ValueTest, PythonFloatReprMatchesCPython) {
  // Each expected text is CPython's repr() of the same double.
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00012345), "0.00012345");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(python_float_repr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(python_float_repr(std::nan("")), "nan");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(123456789.125), "123456789.125");
  EXPECT_EQ(python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_repr(1e100), "1e+100");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(python_float_repr(0.005421195615159703), "0.005421195615159703");
  EXPECT_EQ(python_float_repr(1234567890123456.7), "1234567890123456.8");
  EXPECT_EQ(python_float_repr(12345678901234567.0), "1.2345678901234568e+16");
}

TEST(ValueTest, ToStringIsPythonStr) {
  EXPECT_EQ(to_string(Value(true)), "True");
  EXPECT_EQ(to_string(Value(false)), "False");
  EXPECT_EQ(to_string(Value(std::int64_t{-42})), "-42");
  EXPECT_EQ(to_string(Value(0.001)), "0.001");
  EXPECT_EQ(to_string(Value(1e-5)), "1e-05");
  EXPECT_EQ(to_string(Value(3.0)), "3.0");
  EXPECT_EQ(to_string(Value(std::string("relu"))), "relu");
}

TEST(ValueTest, LooselyEqualFollowsPythonEquality) {
  EXPECT_TRUE(loosely_equal(Value(std::int64_t{1}), Value(1.0)));
  EXPECT_TRUE(loosely_equal(Value(true), Value(std::int64_t{1})));
  EXPECT_TRUE(loosely_equal(Value(true), Value(1.0)));
  EXPECT_TRUE(loosely_equal(Value(false), Value(0.0)));
  EXPECT_FALSE(loosely_equal(Value(true), Value(std::int64_t{2})));
  EXPECT_FALSE(loosely_equal(Value(std::int64_t{1}), Value(1.5)));
  EXPECT_FALSE(loosely_equal(Value(std::string("1")), Value(std::int64_t{1})));
  EXPECT_TRUE(loosely_equal(Value(std::string("a")), Value(std::string("a"))));
  EXPECT_FALSE(loosely_equal(Value(std::string("a")), Value(std::string("b"))));
  EXPECT_FALSE(loosely_equal(Value(std::nan("")), Value(std::nan(""))));
  // Exact integer/float comparison, as Python does: 2**53 + 1 != float(2**53).
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  EXPECT_FALSE(loosely_equal(Value(big), Value(9007199254740992.0)));
  EXPECT_TRUE(loosely_equal(Value(big - 1), Value(9007199254740992.0)));
  EXPECT_FALSE(
      loosely_equal(Value(std::numeric_limits<std::int64_t>::max()), Value(9223372036854775808.0)));
}

TEST(ValueTest, JsonKeepsTypes) {
  EXPECT_EQ(to_json(Value(true)).dump(), "true");
  EXPECT_EQ(to_json(Value(std::int64_t{3})).dump(), "3");
  EXPECT_EQ(to_json(Value(3.0)).dump(), "3.0");
  EXPECT_EQ(to_json(Value(std::string("x"))).dump(), "\"x\"");

  EXPECT_EQ(value_from_json(Json::parse("3"), "ctx"), Value(std::int64_t{3}));
  EXPECT_EQ(value_from_json(Json::parse("-3"), "ctx"), Value(std::int64_t{-3}));
  EXPECT_EQ(value_from_json(Json::parse("3.0"), "ctx"), Value(3.0));
  EXPECT_EQ(value_from_json(Json::parse("false"), "ctx"), Value(false));
  EXPECT_EQ(value_from_json(Json::parse("\"relu\""), "ctx"), Value(std::string("relu")));
}

TEST(ValueTest, ValueFromJsonRejectsOtherTypesNamingTheContext) {
  for (const char* text : {"null", "[1]", "{\"a\": 1}", "18446744073709551615"}) {
    try {
      value_from_json(Json::parse(text), "values of trial 7");
      FAIL() << "accepted " << text;
    } catch (const InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find("values of trial 7"), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("received"), std::string::npos);
    }
  }
}

TEST(ValueMapTest, KeepsInsertionOrderAndReplacesInPlace) {
  ValueMap map{{"b", std::int64_t{1}}, {"a", 2.0}};
  map.set("c", std::string("x"));
  map.set("b", true);
  std::vector<std::string> names;
  for (const auto& [name, value] : map) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(map.at("b"), Value(true));
  EXPECT_EQ(map.size(), 3U);
  EXPECT_TRUE(map.contains("a"));
  EXPECT_EQ(map.find("zzz"), nullptr);
  EXPECT_TRUE(map.erase("a"));
  EXPECT_FALSE(map.erase("a"));
  EXPECT_FALSE(map.contains("a"));
  EXPECT_EQ(map.size(), 2U);
}

TEST(ValueMapTest, AtThrowsNotFound) {
  const ValueMap map{{"a", std::int64_t{1}}};
  try {
    (void)map.at("units");
    FAIL();
  } catch (const NotFound& error) {
    EXPECT_NE(std::string(error.what()).find("'units' does not exist"), std::string::npos);
  }
}

TEST(ValueMapTest, SameValuesIsExactAndOrderFree) {
  const ValueMap a{{"x", std::int64_t{1}}, {"y", std::string("relu")}};
  const ValueMap b{{"y", std::string("relu")}, {"x", std::int64_t{1}}};
  const ValueMap c{{"x", 1.0}, {"y", std::string("relu")}};
  const ValueMap d{{"x", std::int64_t{1}}};
  EXPECT_TRUE(a.same_values(b));
  EXPECT_FALSE(a == b);  // operator== also compares the order
  EXPECT_FALSE(a.same_values(c));
  EXPECT_FALSE(a.same_values(d));
  EXPECT_FALSE(d.same_values(a));
  EXPECT_TRUE(ValueMap{}.same_values(ValueMap{}));
  const ValueMap zero{{"z", 0.0}};
  const ValueMap negative_zero{{"z", -0.0}};
  EXPECT_FALSE(zero.same_values(negative_zero));
}

TEST(ValueMapTest, CanonicalKeyIsSortedAndTypeTagged) {
  const ValueMap values{
      {"units", std::int64_t{32}}, {"lr", 0.001}, {"act", std::string("relu")}, {"flag", true}};
  EXPECT_EQ(values.canonical_key(), "act=s:relu;flag=b:True;lr=f:0.001;units=i:32;");
  EXPECT_EQ(ValueMap{}.canonical_key(), "");

  const ValueMap reordered{
      {"flag", true}, {"act", std::string("relu")}, {"units", std::int64_t{32}}, {"lr", 0.001}};
  EXPECT_EQ(values.canonical_key(), reordered.canonical_key());
}

TEST(ValueMapTest, CanonicalKeysOfDistinctMapsNeverCollide) {
  const std::vector<ValueMap> maps = {
      {{"a", std::int64_t{1}}},
      {{"a", 1.0}},
      {{"a", true}},
      {{"a", std::string("1")}},
      {{"a", std::string("True")}},
      {{"a", 0.0}},
      {{"a", -0.0}},
      // Separators inside names and strings must not forge another map's key.
      {{"a", std::string("x;b=i:2")}},
      {{"a", std::string("x")}, {"b", std::int64_t{2}}},
      {{"a=s:x;b", std::int64_t{2}}},
      {{"a", std::string("x\\")}, {"b", std::int64_t{2}}},
      {{"a\\", std::string("x")}},
      {},
  };
  for (std::size_t i = 0; i < maps.size(); ++i) {
    for (std::size_t j = 0; j < maps.size(); ++j) {
      EXPECT_EQ(maps[i].canonical_key() == maps[j].canonical_key(), maps[i].same_values(maps[j]))
          << i << " vs " << j << ": " << maps[i].canonical_key() << " / "
          << maps[j].canonical_key();
    }
  }
}

TEST(ValueMapTest, JsonRoundTripKeepsOrderAndTypes) {
  const ValueMap values{{"units", std::int64_t{320}},
                        {"lr", 0.005421195615159703},
                        {"one", 1.0},
                        {"dropout", true},
                        {"loss", std::string("mse")}};
  const Json json = values.to_json();
  EXPECT_EQ(json.dump(),
            R"({"units":320,"lr":0.005421195615159703,"one":1.0,"dropout":true,"loss":"mse"})");
  const ValueMap back = ValueMap::from_json(Json::parse(json.dump()), "values");
  EXPECT_EQ(back, values);
}

TEST(ValueMapTest, FromJsonRejectsMalformedInput) {
  EXPECT_THROW(ValueMap::from_json(Json::parse("[1, 2]"), "values"), InvalidArgument);
  try {
    ValueMap::from_json(Json::parse(R"({"a": 1, "b": null})"), "trial.json values");
    FAIL();
  } catch (const InvalidArgument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("trial.json values"), std::string::npos);
    EXPECT_NE(message.find("'b'"), std::string::npos);
  }
}

}  // namespace
}  // namespace synalinks

#include "synalinks/program/data_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/datasets.hpp"
#include "synalinks/program/naming.hpp"

namespace synalinks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(DataModel, Gsm8kSchemasAreSynalinksOwn) {
  EXPECT_EQ(datasets::gsm8k::input_data_model().schema(), Json::parse(R"({
    "additionalProperties": false,
    "properties": {"question": {"description": "The math word problem", "title": "Question",
                                "type": "string"}},
    "required": ["question"], "title": "MathQuestion", "type": "object"})"));
  EXPECT_EQ(datasets::gsm8k::output_data_model().schema(), Json::parse(R"({
    "additionalProperties": false,
    "properties": {
      "thinking": {"description": "Your step by step thinking", "title": "Thinking",
                   "type": "string"},
      "answer": {"description": "The numerical answer", "title": "Answer", "type": "number"}},
    "required": ["thinking", "answer"], "title": "NumericalAnswerWithThinking",
    "type": "object"})"));
}

TEST(DataModel, FieldHelpersCoverEveryType) {
  const DataModel address("Address", {fields::string("city", "The city")});
  const DataModel model("Everything",
                        {fields::integer("nb_visit", "Visits"), fields::boolean("ok", "Fine?"),
                         fields::array("tags", {{"type", "string"}}, "Tags"),
                         fields::enumeration("mood", {"happy", "sad"}, "Mood"),
                         fields::nullable(fields::number("score", "Score")),
                         fields::object("address", address, "Where"),
                         fields::with_default(fields::string("note", "A note"), "none")},
                        "A model with one field of each kind");
  const Json& schema = model.schema();
  EXPECT_EQ(schema["properties"]["nb_visit"]["title"], "Nb Visit");
  EXPECT_EQ(schema["properties"]["tags"]["items"]["type"], "string");
  EXPECT_EQ(schema["properties"]["mood"]["enum"], Json({"happy", "sad"}));
  EXPECT_EQ(schema["properties"]["score"]["anyOf"][1]["type"], "null");
  EXPECT_EQ(schema["properties"]["address"]["$ref"], "#/$defs/Address");
  EXPECT_EQ(schema["$defs"]["Address"], address.schema());
  EXPECT_EQ(schema["properties"]["note"]["default"], "none");
  EXPECT_EQ(schema["required"], Json({"nb_visit", "ok", "tags", "mood", "address"}));
  EXPECT_EQ(schema["description"], "A model with one field of each kind");
  EXPECT_THAT(model.keys(),
              ElementsAre("nb_visit", "ok", "tags", "mood", "score", "address", "note"));
}

TEST(DataModel, BadDeclarationsAreRejected) {
  EXPECT_THAT(testing::message_of<InvalidArgument>([] {
                DataModel("Twice", {fields::string("a", ""), fields::number("a", "")});
              }),
              HasSubstr("field 'a' is declared twice"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([] { DataModel("", {}); }),
              HasSubstr("non-empty title"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([] {
                DataModel(Json{{"type", "string"}});
              }),
              HasSubstr("expected a JSON Schema object"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([] { fields::enumeration("mood", {}, ""); }),
              HasSubstr("expected at least one value"));
}

TEST(Concatenation, RenamesCollidingKeysAndKeepsTheFirstTitle) {
  const DataModel thinking("Thinking", {fields::string("thinking", "Your step by step thinking")});
  const DataModel both = concatenate(thinking, datasets::gsm8k::output_data_model());
  EXPECT_THAT(both.keys(), ElementsAre("thinking", "thinking_1", "answer"));
  EXPECT_EQ(both.schema()["properties"]["thinking_1"]["title"], "Thinking 1");
  EXPECT_EQ(both.title(), "Thinking");
  EXPECT_EQ(both.schema()["required"], Json({"thinking", "thinking_1", "answer"}));

  const Json value = concatenate_values({{"answer", 1}, {"answer_1", 2}}, {{"answer", 3}});
  EXPECT_EQ(value, Json::parse(R"({"answer": 1, "answer_1": 2, "answer_2": 3})"));
}

TEST(Masks, MatchBaseKeys) {
  EXPECT_EQ(base_key("answer_1"), "answer");
  EXPECT_EQ(base_key("answers"), "answer");
  EXPECT_EQ(base_key("boxes"), "box");
  EXPECT_EQ(base_key("categories"), "category");
  EXPECT_EQ(base_key("nb_visits_2"), "nb_visit");
  EXPECT_EQ(base_key("data"), "datum");
  const Json value = Json::parse(R"({"thinking": "t", "thinking_1": "u", "answer": 7,
                                     "nested": {"answer": 1, "other": 2}})");
  EXPECT_EQ(in_mask(value, {"answer"}), Json::parse(R"({"answer": 7})"));
  EXPECT_EQ(out_mask(value, {"thinking"}),
            Json::parse(R"({"answer": 7, "nested": {"answer": 1, "other": 2}})"));
  EXPECT_EQ(out_mask(value, {"answers"}),
            Json::parse(R"({"thinking": "t", "thinking_1": "u", "nested": {"other": 2}})"));

  const Json schema =
      concatenate_schemas(DataModel("Thinking", {fields::string("thinking", "")}).schema(),
                          datasets::gsm8k::output_data_model().schema());
  const Json masked = in_mask_schema(schema, {"answer"});
  EXPECT_EQ(masked["properties"].size(), 1u);
  EXPECT_EQ(masked["required"], Json({"answer"}));
  EXPECT_EQ(out_mask_schema(schema, {"thinking"})["required"], Json({"answer"}));
}

TEST(Masks, UnusedDefinitionsAreDropped) {
  const DataModel address("Address", {fields::string("city", "")});
  const DataModel person("Person",
                         {fields::string("name", ""), fields::object("address", address, "")});
  EXPECT_TRUE(person.schema().contains("$defs"));
  EXPECT_FALSE(in_mask_schema(person.schema(), {"name"}).contains("$defs"));
  EXPECT_TRUE(in_mask_schema(person.schema(), {"address"}).contains("$defs"));
}

TEST(JsonEqual, FollowsPythonEquality) {
  EXPECT_TRUE(json_equal(7, 7.0));
  EXPECT_TRUE(json_equal(true, 1));
  EXPECT_FALSE(json_equal("7", 7));
  EXPECT_TRUE(json_equal(Json::parse(R"({"a": 1, "b": [1, 2.0]})"),
                         Json::parse(R"({"b": [1.0, 2], "a": 1.0})")));
  EXPECT_FALSE(json_equal(Json::parse("[1, 2]"), Json::parse("[2, 1]")));
  EXPECT_FALSE(json_equal(Json::parse(R"({"a": 1})"), Json::parse(R"({"a": 1, "b": 2})")));
  EXPECT_FALSE(json_equal(std::nan(""), std::nan("")));
}

TEST(Naming, ClearSessionRestartsTheCounters) {
  clear_session();
  EXPECT_EQ(auto_name("Generator"), "generator");
  EXPECT_EQ(auto_name("Generator"), "generator_1");
  EXPECT_EQ(auto_name("ChainOfThought"), "chain_of_thought");
  EXPECT_EQ(to_snake_case("HTTPResponse"), "http_response");
  clear_session();
  EXPECT_EQ(auto_name("Generator"), "generator");
}

}  // namespace
}  // namespace synalinks

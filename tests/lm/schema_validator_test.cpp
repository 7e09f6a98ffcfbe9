#include "schema_validator.hpp"

#include <gtest/gtest.h>

#include <string>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm::detail {
namespace {

std::string refusal(const std::string& schema) {
  SchemaValidator validator;
  try {
    validator.compile(schema);
  } catch (const LanguageModelConfigError& error) {
    return error.what();
  }
  return "accepted";
}

// Found by lm_reply_fuzzer: valijson followed these until the stack overflowed.
TEST(SchemaValidator, RefusesReferencesThatLeadBackToThemselvesOrOutOfTheDocument) {
  EXPECT_NE(refusal(R"({"$ref": "object", "$defs": 2})").find("is not a local reference"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"$ref": "#"})").find("leads back to itself"), std::string::npos);
  EXPECT_NE(refusal(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                        "$ref": "#/$defs/a"})")
                .find("leads back to itself"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"$ref": "#/$defs/missing"})").find("not a usable JSON Schema"),
            std::string::npos);
}

TEST(SchemaValidator, AcceptsLocalReferencesAndRecursiveSchemas) {
  EXPECT_EQ(refusal(R"({"$defs": {"n": {"type": "integer"}},
                        "type": "object", "properties": {"a": {"$ref": "#/$defs/n"}}})"),
            "accepted");
  // A tree: a node's children are nodes. The reference leads back through "properties", not
  // through references only.
  EXPECT_EQ(refusal(R"({"$defs": {"node": {"type": "object", "properties": {
                          "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
                        "$ref": "#/$defs/node"})"),
            "accepted");
}

}  // namespace
}  // namespace synalinks::lm::detail

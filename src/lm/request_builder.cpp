#include "request_builder.hpp"

namespace synalinks::lm::detail {
namespace {

// OpenAI's strict mode rejects keywords beside "$ref"; Synalinks drops the description there.
void drop_descriptions_beside_refs(Json& schema) {
  if (!schema.is_object()) return;
  if (schema.contains("properties") && schema["properties"].is_object()) {
    for (auto& [name, property] : schema["properties"].items()) {
      if (property.is_object() && property.contains("$ref")) property.erase("description");
      drop_descriptions_beside_refs(property);
    }
  }
  for (const char* key : {"$defs", "definitions"}) {
    if (schema.contains(key) && schema[key].is_object()) {
      for (auto& [name, definition] : schema[key].items())
        drop_descriptions_beside_refs(definition);
    }
  }
  if (schema.contains("items")) drop_descriptions_beside_refs(schema["items"]);
}

}  // namespace

Json build_request_body(const Endpoint& endpoint, const ChatMessages& messages, const Json* schema,
                        const SamplingOptions& sampling, bool strict) {
  Json body = Json::object();
  body["model"] = endpoint.model_id;
  Json wire_messages = Json::array();
  for (const ChatMessage& message : messages) {
    wire_messages.push_back({{"role", message.role}, {"content", message.content}});
  }
  if (schema != nullptr && endpoint.info.structured_output == StructuredOutputStyle::json_object) {
    // The provider cannot take a schema: state it in the system message instead.
    const std::string instruction =
        "Reply with one JSON object that validates against this JSON Schema:\n" + schema->dump();
    if (!wire_messages.empty() && wire_messages[0]["role"] == "system") {
      wire_messages[0]["content"] =
          wire_messages[0]["content"].get<std::string>() + "\n\n" + instruction;
    } else {
      wire_messages.insert(wire_messages.begin(), {{"role", "system"}, {"content", instruction}});
    }
  }
  body["messages"] = std::move(wire_messages);
  if (sampling.temperature) body["temperature"] = *sampling.temperature;
  if (sampling.top_p) body["top_p"] = *sampling.top_p;
  if (sampling.max_tokens) body[endpoint.info.max_tokens_field] = *sampling.max_tokens;
  if (sampling.seed) body["seed"] = *sampling.seed;
  if (sampling.reasoning_effort && *sampling.reasoning_effort != ReasoningEffort::none &&
      endpoint.send_reasoning_effort) {
    body["reasoning_effort"] = std::string(to_string(*sampling.reasoning_effort));
  }
  if (schema != nullptr) {
    if (endpoint.info.structured_output == StructuredOutputStyle::json_object) {
      body["response_format"] = {{"type", "json_object"}};
    } else {
      Json sent_schema = *schema;
      if (endpoint.provider == "openai") drop_descriptions_beside_refs(sent_schema);
      body["response_format"] = {{"type", "json_schema"},
                                 {"json_schema",
                                  {{"name", "structured_output"},
                                   {"schema", std::move(sent_schema)},
                                   {"strict", strict}}}};
    }
  }
  return body;
}

}  // namespace synalinks::lm::detail

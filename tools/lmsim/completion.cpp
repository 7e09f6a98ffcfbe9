#include "completion.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>
#include <variant>

#include "hashing.hpp"
#include "schema_instance.hpp"

namespace lmsim {
namespace {

using json = nlohmann::ordered_json;
using nlohmann::ordered_json;

RequestError bad_request(std::string message, std::string param = "", std::string code = "") {
  return RequestError{.status = 400,
                      .type = "invalid_request_error",
                      .code = std::move(code),
                      .message = std::move(message),
                      .param = std::move(param)};
}

// Message content is a string, null, or an array of parts of which the text parts count.
std::optional<std::string> content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return std::string();
  if (!content.is_array()) return std::nullopt;
  std::string text;
  for (const json& part : content) {
    if (!part.is_object() || !part.contains("type")) return std::nullopt;
    if (part["type"] == "text" && part.contains("text") && part["text"].is_string()) {
      text += part["text"].get<std::string>();
    }
  }
  return text;
}

bool is_reasoning_name(const std::string& name) {
  static const char* const kMarkers[] = {"thinking",    "reason", "rationale",        "thought",
                                         "explanation", "steps",  "chain_of_thought", "analysis"};
  return std::any_of(std::begin(kMarkers), std::end(kMarkers),
                     [&](const char* m) { return name.find(m) != std::string::npos; });
}

// The property that carries the answer: "answer" if present, else the first numeric property.
std::string answer_property(const ordered_json& root) {
  const ordered_json& object = resolve_schema(root, root);
  if (!object.contains("properties") || !object["properties"].is_object()) return "";
  const json& properties = object["properties"];
  if (properties.contains("answer")) return "answer";
  for (const auto& [name, property] : properties.items()) {
    const std::string type = schema_type(resolve_schema(property, root));
    if (type == "number" || type == "integer") return name;
  }
  return "";
}

int count_examples(const ParsedRequest& request) {
  int count = 0;
  for (auto pos = request.all_text.find("<example>"); pos != std::string::npos;
       pos = request.all_text.find("<example>", pos + 1)) {
    ++count;
  }
  // Few-shot as chat turns: assistant messages before the last user message.
  for (const json& message : request.messages) {
    if (message["role"] == "assistant") ++count;
  }
  return count;
}

std::string format_number(double x) {
  if (std::abs(x) < 1e15 && x == std::floor(x)) {
    return std::to_string(static_cast<long long>(x));
  }
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}

ordered_json number_json(double x) {
  if (std::abs(x) < 1e15 && x == std::floor(x)) return static_cast<long long>(x);
  return x;
}

// A plausible mistake: off by a small amount, a factor of two, or a dropped digit.
double wrong_answer(double truth, DrawStream& draws) {
  const bool integral = truth == std::floor(truth);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int kind = static_cast<int>(draws.next() % 6);
    double x = truth;
    switch (kind) {
      case 0:
        x = truth + 1;
        break;
      case 1:
        x = truth - 1;
        break;
      case 2:
        x = truth * 2;
        break;
      case 3:
        x = integral ? std::floor(truth / 2) : truth / 2;
        break;
      case 4:
        x = truth + (integral ? 10 : 0.5);
        break;
      default:
        x = integral ? std::floor(truth / 10) : truth * 10;
        break;
    }
    if (truth >= 0 && x < 0) continue;
    if (x != truth) return x;
  }
  return truth + 1;
}

std::string strip_calculator_annotations(const std::string& text) {
  static const std::regex annotation("<<[^>]*>>");
  return std::regex_replace(text, annotation, "");
}

std::string reasoning_text(const KnownQuestion& q, bool correct, double value) {
  std::string steps = strip_calculator_annotations(q.worked_solution);
  if (!correct) {
    // Keep the first half of the worked solution, then go astray.
    std::vector<std::string> lines;
    std::istringstream in(steps);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    steps.clear();
    for (std::size_t i = 0; i < (lines.size() + 1) / 2; ++i) steps += lines[i] + "\n";
    steps += "Combining these amounts gives " + format_number(value) + ".";
  }
  return steps + "\nSo the answer is " + format_number(value) + ".";
}

constexpr const char* kUnknownText =
    "This reply comes from lmsim, a language-model simulator; it does not know this question.";

}  // namespace

int estimate_tokens(std::string_view text) {
  return static_cast<int>((text.size() + 3) / 4);
}

std::variant<ParsedRequest, RequestError> parse_request(const std::string& body,
                                                        const SimulatorConfig& config) {
  ordered_json request;
  try {
    request = ordered_json::parse(body);
  } catch (const json::parse_error&) {
    return bad_request(
        "We could not parse the JSON body of your request. The body must be a JSON object.");
  }
  if (!request.is_object()) return bad_request("The request body must be a JSON object.");
  ParsedRequest parsed;
  if (!request.contains("model") || !request["model"].is_string()) {
    return bad_request("you must provide a model parameter", "model");
  }
  parsed.model = request["model"].get<std::string>();
  const bool known_model = std::any_of(config.models.begin(), config.models.end(),
                                       [&](const ModelConfig& m) { return m.id == parsed.model; });
  if (!known_model) {
    std::string ids;
    for (const auto& m : config.models) ids += (ids.empty() ? "" : ", ") + m.id;
    return RequestError{
        .status = 404,
        .type = "invalid_request_error",
        .code = "model_not_found",
        .message = "The model '" + parsed.model + "' does not exist in lmsim; it serves: " + ids,
        .param = "model"};
  }
  const ModelConfig& model =
      *std::find_if(config.models.begin(), config.models.end(),
                    [&](const ModelConfig& m) { return m.id == parsed.model; });
  if (!request.contains("messages") || !request["messages"].is_array() ||
      request["messages"].empty()) {
    return bad_request("'messages' must be a non-empty array", "messages");
  }
  static const std::set<std::string> kRoles = {"system", "developer", "user", "assistant", "tool"};
  parsed.messages = json::array();
  for (std::size_t i = 0; i < request["messages"].size(); ++i) {
    const ordered_json& message = request["messages"][i];
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string() ||
        !kRoles.contains(message["role"].get<std::string>())) {
      return bad_request(param +
                             ": expected an object with a role among system, developer, "
                             "user, assistant, tool",
                         param);
    }
    const auto text = content_text(message.contains("content") ? json(message["content"]) : json());
    if (!text) return bad_request(param + ".content: expected a string or text parts", param);
    const std::string role = message["role"].get<std::string>();
    parsed.messages.push_back({{"role", role}, {"content", *text}});
    if (role == "user") parsed.last_user_text = *text;
    if (i == 0) parsed.first_message_text = *text;
    parsed.all_text += *text;
    parsed.all_text += '\n';
  }
  if (request.contains("stream") && request["stream"] == true) {
    return bad_request("lmsim does not simulate streaming; send \"stream\": false", "stream");
  }
  if (request.contains("n") && request["n"] != 1) {
    return bad_request("lmsim serves one choice per request; send \"n\": 1", "n");
  }
  if (request.contains("temperature") && !request["temperature"].is_null()) {
    const auto& t = request["temperature"];
    if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 2) {
      return bad_request("'temperature' must be a number in [0, 2]", "temperature");
    }
    parsed.temperature = t.get<double>();
  }
  if (request.contains("top_p") && !request["top_p"].is_null()) {
    const auto& p = request["top_p"];
    if (!p.is_number() || p.get<double>() < 0 || p.get<double>() > 1) {
      return bad_request("'top_p' must be a number in [0, 1]", "top_p");
    }
  }
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    if (request.contains(key) && !request[key].is_null()) {
      const auto& m = request[key];
      if (!m.is_number_integer() || m.get<long long>() < 1) {
        return bad_request(std::string("'") + key + "' must be a positive integer", key);
      }
      parsed.max_tokens = static_cast<int>(std::min<long long>(m.get<long long>(), 1 << 30));
    }
  }
  if (request.contains("seed") && !request["seed"].is_null()) {
    if (!request["seed"].is_number_integer()) {
      return bad_request("'seed' must be an integer", "seed");
    }
    parsed.seed = request["seed"].get<long long>();
  }
  if (request.contains("reasoning_effort") && !request["reasoning_effort"].is_null()) {
    const auto& e = request["reasoning_effort"];
    if (!model.accepts_reasoning_effort) {
      return bad_request(
          "Unsupported parameter: 'reasoning_effort' is not supported with this "
          "model.",
          "reasoning_effort", "unsupported_parameter");
    }
    static const std::set<std::string> kLevels = {"minimal", "low", "medium", "high"};
    if (!e.is_string() || !kLevels.contains(e.get<std::string>())) {
      return bad_request("'reasoning_effort' must be one of minimal, low, medium, high",
                         "reasoning_effort");
    }
    parsed.reasoning_effort = e.get<std::string>();
  }
  if (request.contains("response_format") && !request["response_format"].is_null()) {
    const auto& format = request["response_format"];
    if (!format.is_object() || !format.contains("type") || !format["type"].is_string()) {
      return bad_request("'response_format' must be an object with a type", "response_format");
    }
    parsed.response_format = format["type"].get<std::string>();
    if (parsed.response_format == "json_schema") {
      if (!format.contains("json_schema") || !format["json_schema"].is_object() ||
          !format["json_schema"].contains("schema") ||
          !format["json_schema"]["schema"].is_object()) {
        return bad_request("'response_format.json_schema.schema' must be a JSON Schema object",
                           "response_format");
      }
      parsed.schema = format["json_schema"]["schema"];
    } else if (parsed.response_format != "text" && parsed.response_format != "json_object") {
      return bad_request("'response_format.type' must be text, json_object or json_schema",
                         "response_format");
    }
  }
  parsed.canonical_hash = hash_bytes(nlohmann::json(request).dump());  // sorted keys
  return parsed;
}

Completion complete(const ParsedRequest& request, const ModelConfig& model,
                    const QuestionBank& bank, std::uint64_t seed, std::uint64_t salt) {
  Completion result;
  const KnownQuestion* question = bank.find(request.last_user_text);
  const std::uint64_t model_hash = hash_bytes(model.id, seed);
  const double temperature = request.temperature.value_or(1.0);  // OpenAI's default
  // Identical requests get identical replies unless sampling is random and unseeded.
  const bool vary_between_requests = temperature > 0 && !request.seed;
  DrawStream draws(
      hash_combine(model_hash, request.canonical_hash ^ (vary_between_requests ? salt : 0)));

  // Property order matters: reasoning helps only when written before the answer.
  const ordered_json& schema = request.schema;
  const std::string answer_name = schema.is_object() ? answer_property(schema) : "";
  bool has_reasoning_field = false;
  if (request.response_format == "json_schema") {
    const ordered_json& object = resolve_schema(schema, schema);
    if (object.contains("properties") && object["properties"].is_object()) {
      for (const auto& [name, property] : object["properties"].items()) {
        if (name == answer_name) break;
        if (is_reasoning_name(name) && schema_type(resolve_schema(property, schema)) == "string") {
          has_reasoning_field = true;
          break;
        }
      }
    }
  } else {
    has_reasoning_field = request.all_text.find("step by step") != std::string::npos;
  }

  const bool effort_used = model.accepts_reasoning_effort && !request.reasoning_effort.empty();
  double value = 0.0;
  if (question != nullptr) {
    const double p = expected_accuracy(
        model.skill, {.reasoning_field = has_reasoning_field,
                      .reasoning_effort = effort_used ? request.reasoning_effort : std::string(),
                      .examples = count_examples(request),
                      .temperature = temperature});
    // Each question has a difficulty of its own (a draw from the model and the question); at
    // temperature 0 it alone decides, so accuracy rises monotonically with p. Above 0 the
    // request adds noise of its own (and the salt without seed), mixed with the difficulty in
    // the proportion question_difficulty_weight: every mix is uniform, so P(correct) stays p.
    const double difficulty =
        unit_interval(hash_combine(model_hash, hash_bytes(question->normalized)));
    double draw = difficulty;
    if (temperature > 0) {
      std::uint64_t noise_hash = hash_combine(
          hash_combine(model_hash, hash_bytes(question->normalized)), request.canonical_hash);
      if (!request.seed) noise_hash = hash_combine(noise_hash, salt);
      draw = mix_uniforms(difficulty, unit_interval(noise_hash),
                          model.skill.question_difficulty_weight);
    }
    result.known_question = true;
    result.accuracy = p;
    result.correct = draw < p;
    value = result.correct ? question->answer : wrong_answer(question->answer, draws);
  }

  const std::string reasoning = question != nullptr
                                    ? reasoning_text(*question, result.correct, value)
                                    : std::string(kUnknownText);
  const FieldFiller filler = [&](const std::string& name,
                                 const ordered_json& property) -> std::optional<ordered_json> {
    const std::string type = schema_type(property);
    if (name == answer_name) {
      if (question == nullptr) return std::nullopt;
      if (type == "string") return format_number(value);
      if (type == "integer") return static_cast<long long>(std::llround(value));
      return number_json(value);
    }
    if (type == "string" && is_reasoning_name(name) && !property.contains("enum") &&
        !property.contains("maxLength")) {
      return reasoning;
    }
    return std::nullopt;
  };

  if (request.response_format == "json_schema") {
    result.content = make_instance(schema, filler).dump();
  } else if (request.response_format == "json_object") {
    ordered_json object = {{"thinking", reasoning}};
    if (question != nullptr) object["answer"] = number_json(value);
    result.content = object.dump();
  } else {
    result.content = question != nullptr ? reasoning : std::string(kUnknownText);
  }

  Usage& usage = result.usage;
  for (const json& message : request.messages) {
    usage.prompt_tokens += estimate_tokens(message["content"].get_ref<const std::string&>()) + 4;
  }
  usage.prompt_tokens += 3;
  if (request.response_format == "json_schema")
    usage.prompt_tokens += estimate_tokens(schema.dump());
  if (effort_used) {
    const auto it = model.reasoning_tokens.find(request.reasoning_effort);
    const int base = it == model.reasoning_tokens.end() ? 0 : it->second;
    usage.reasoning_tokens = static_cast<int>(std::lround(base * (0.75 + 0.5 * draws.uniform())));
  }
  usage.completion_tokens = estimate_tokens(result.content) + usage.reasoning_tokens;
  if (request.max_tokens && usage.completion_tokens > *request.max_tokens) {
    // Out of budget: the visible text is cut where the budget ends, as real models do.
    const int visible = std::max(0, *request.max_tokens - usage.reasoning_tokens);
    usage.reasoning_tokens = std::min(usage.reasoning_tokens, *request.max_tokens);
    result.content = result.content.substr(0, static_cast<std::size_t>(visible) * 4);
    usage.completion_tokens = *request.max_tokens;
    result.finish_reason = "length";
  }
  return result;
}

std::string violating_content(const ParsedRequest& request) {
  if (request.response_format != "json_schema") return "{\"lmsim\": \"not the expected shape\"}";
  return make_violation(request.schema, nullptr).dump();
}

}  // namespace lmsim

// Reads the metrics a trial reports: the JSON of a trial command's lines (its result on the last
// line, step lines before it) and of tell --metrics.
#include "metric_lines.hpp"

#include <cmath>
#include <optional>

#include "synalinks/errors.hpp"

namespace synalinks::cli {
namespace {

constexpr const char* kMetricForm =
    "expected a number, null, or {\"value\": number, \"stderr\": number >= 0, \"count\": "
    "number >= 0, \"samples\": [numbers], \"sample_set\": string} (all but value optional; a "
    "count needs its stderr, samples their sample_set)";
constexpr const char* kMetricsExample =
    "expected an object of metrics such as {\"loss\": 0.25} or {\"val_reward\": {\"value\": "
    "0.71, \"stderr\": 0.09, \"count\": 24}}, or one number";

bool is_number(const Json& json) {
  return json.is_number() && !json.is_boolean();
}

// A standard error or a sample count: a finite number, not negative.
double non_negative(const Json& json, const std::string& what) {
  if (!is_number(json))
    throw InvalidArgument(what + " is " + json.dump() + ", not a number; " + kMetricForm);
  const double number = json.get<double>();
  if (!std::isfinite(number) || number < 0)
    throw InvalidArgument(what + " is " + json.dump() +
                          (number < 0 ? ", negative; " : ", not finite; ") + kMetricForm);
  return number;
}

// The samples and sample set of a metric of the object form, if it gives them.
std::optional<tuners::SampleScores> sample_scores_of(const Json& value, const std::string& name,
                                                     const std::string& source) {
  if (!value.is_object() || (!value.contains("samples") && !value.contains("sample_set")))
    return std::nullopt;
  const std::string what = "metric '" + name + "' " + source;
  if (!value.contains("samples") || !value.contains("sample_set"))
    throw InvalidArgument(
        what + " gives " + (value.contains("samples") ? "samples" : "a sample_set") + " without " +
        (value.contains("samples") ? "their sample_set" : "samples") +
        " (values of the same samples in the same order share a sample_set); " + kMetricForm);
  const Json& set = value["sample_set"];
  if (!set.is_string() || set.get<std::string>().empty())
    throw InvalidArgument(what + " has \"sample_set\": " + set.dump() +
                          ", not a non-empty string; " + kMetricForm);
  const Json& samples = value["samples"];
  if (!samples.is_array() || samples.empty())
    throw InvalidArgument(what + " has \"samples\": " + samples.dump() +
                          ", not a non-empty array of numbers; " + kMetricForm);
  tuners::SampleScores out{.metric = name, .sample_set = set.get<std::string>()};
  for (const Json& sample : samples) {
    if (!is_number(sample) || !std::isfinite(sample.get<double>()))
      throw InvalidArgument(what + " has the sample " + sample.dump() + ", not a finite number; " +
                            kMetricForm);
    out.values.push_back(sample.get<double>());
  }
  return out;
}

// The JSON of the last non-empty line of a trial command's output.
Json last_line_json(const std::string& output) {
  const std::string line = last_non_empty_line(output);
  if (line.empty())
    throw InvalidArgument(
        "the trial command printed nothing; expected its metrics as a JSON object on the last line "
        "of stdout");
  try {
    return Json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    throw InvalidArgument("the last line of the trial command's stdout is not JSON: '" + line +
                          "'; " + kMetricsExample);
  }
}

// One metric of the object form into `metrics`, with its uncertainty.
void add_metric(tuners::Metrics& metrics, const std::string& name, const Json& value,
                const std::string& source) {
  const std::string what = "metric '" + name + "' " + source;
  if (is_number(value)) {
    metrics[name] = value.get<double>();
    return;
  }
  if (value.is_null()) {
    metrics[name] = std::nan("");
    return;
  }
  if (!value.is_object()) throw InvalidArgument(what + " is " + value.dump() + "; " + kMetricForm);
  for (const auto& [key, item] : value.items())
    if (key != "value" && key != "stderr" && key != "count" && key != "samples" &&
        key != "sample_set")
      throw InvalidArgument(what + " is " + value.dump() + ", with the unknown key '" + key +
                            "'; " + kMetricForm);
  if (!value.contains("value"))
    throw InvalidArgument(what + " is " + value.dump() + ", without \"value\"; " + kMetricForm);
  const Json& measured = value["value"];
  if (!is_number(measured) && !measured.is_null())
    throw InvalidArgument(what + " has \"value\": " + measured.dump() + ", not a number; " +
                          kMetricForm);
  metrics[name] = measured.is_null() ? std::nan("") : measured.get<double>();
  if (value.contains("count") && !value.contains("stderr"))
    throw InvalidArgument(what + " is " + value.dump() +
                          ", a count without its stderr (the count is kept with the standard "
                          "error only); " +
                          kMetricForm);
  sample_scores_of(value, name, source);  // checked here, kept for the objective only
  if (!value.contains("stderr")) return;
  tuners::Uncertainty uncertainty{.std_error =
                                      non_negative(value["stderr"], what + ": \"stderr\"")};
  if (value.contains("count"))
    uncertainty.count = non_negative(value["count"], what + ": \"count\"");
  tuners::set_uncertainty(metrics, name, uncertainty);
}

}  // namespace

std::string last_non_empty_line(const std::string& text) {
  std::size_t end = text.size();
  while (end > 0) {
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
      --end;
    const std::size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
    const std::size_t start = begin == std::string::npos ? 0 : begin + 1;
    std::string line = text.substr(start, end - start);
    if (!line.empty()) return line;
    end = start;
  }
  return {};
}

tuners::Metrics parse_metrics(const Json& json, const std::string& objective_name,
                              const std::string& source) {
  tuners::Metrics metrics;
  if (is_number(json)) {
    metrics[objective_name] = json.get<double>();
    return metrics;
  }
  if (!json.is_object())
    throw InvalidArgument("the metrics " + source + " are " + json.dump() + "; " + kMetricsExample);
  for (const auto& [name, value] : json.items()) {
    // The companion keys may also be given flat ("val_reward/stderr": 0.09); read with their
    // metric below.
    const std::string base = name.substr(0, name.rfind('/'));
    if (tuners::is_uncertainty_key(name) && json.contains(base)) continue;
    add_metric(metrics, name, value, source);
  }
  for (const auto& [name, value] : json.items()) {
    const std::string base = name.substr(0, name.rfind('/'));
    if (!tuners::is_uncertainty_key(name) || !json.contains(base)) continue;
    const std::string what = "metric '" + base + "' " + source;
    if (metrics.contains(name))
      throw InvalidArgument(what + " gives its " + name.substr(base.size() + 1) +
                            " twice, in its object and as '" + name +
                            "'; expected it once: " + kMetricForm);
    metrics[name] = non_negative(value, "'" + name + "' " + source);
  }
  for (const auto& [name, value] : json.items()) {
    const std::string base = name.substr(0, name.rfind('/'));
    if (name.ends_with(tuners::kCountSuffix) && json.contains(base) &&
        !metrics.contains(tuners::stderr_key(base)))
      throw InvalidArgument("metric '" + base + "' " + source + " has '" + name + "' without '" +
                            tuners::stderr_key(base) +
                            "' (the count is kept with the standard error only); " + kMetricForm);
  }
  return metrics;
}

tuners::Metrics parse_metrics_line(const std::string& output, const std::string& objective_name) {
  return parse_metrics(last_line_json(output), objective_name, "printed by the trial command");
}

std::optional<tuners::SampleScores> parse_sample_scores_line(const std::string& output,
                                                             const std::string& objective_name) {
  const Json parsed = last_line_json(output);
  if (!parsed.is_object() || !parsed.contains(objective_name)) return std::nullopt;
  return sample_scores_of(parsed[objective_name], objective_name, "printed by the trial command");
}

tuners::Metrics parse_metrics_option(const std::string& text, const std::string& objective_name) {
  Json parsed;
  try {
    parsed = Json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    throw InvalidArgument("--metrics is not JSON: '" + text + "'; " + kMetricsExample);
  }
  return parse_metrics(parsed, objective_name, "given to --metrics");
}

std::optional<StepLine> parse_step_line(const std::string& line,
                                        const std::string& objective_name) {
  const auto start = line.find_first_not_of(" \t\r");
  if (start == std::string::npos || line[start] != '{') return std::nullopt;
  Json parsed;
  try {
    parsed = Json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    return std::nullopt;  // text that happens to start with a brace
  }
  if (!parsed.is_object() || !parsed.contains("step")) return std::nullopt;
  const Json& step = parsed["step"];
  if (!step.is_number_integer())
    throw InvalidArgument("the trial command printed a step line with \"step\": " + step.dump() +
                          "; expected an integer, as in {\"step\": 3, \"loss\": 0.4}");
  StepLine out{.step = step.get<std::int64_t>()};
  parsed.erase("step");
  out.metrics = parse_metrics(parsed, objective_name,
                              "printed by the trial command at step " + std::to_string(out.step));
  return out;
}

}  // namespace synalinks::cli

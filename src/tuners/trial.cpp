#include "synalinks/tuners/trial.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "synalinks/errors.hpp"
#include "util/json_integer.hpp"

namespace synalinks::tuners {
namespace {

constexpr std::array<std::pair<TrialStatus, std::string_view>, 6> kStatusNames = {{
    {TrialStatus::running, "RUNNING"},
    {TrialStatus::idle, "IDLE"},
    {TrialStatus::invalid, "INVALID"},
    {TrialStatus::stopped, "STOPPED"},
    {TrialStatus::completed, "COMPLETED"},
    {TrialStatus::failed, "FAILED"},
}};

const Json& field(const Json& json, const char* name) {
  if (!json.contains(name)) throw InvalidArgument(std::string("missing field \"") + name + "\"");
  return json[name];
}

template <class T>
T typed_field(const Json& json, const char* name, const char* expected) {
  const Json& value = field(json, name);
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    if (const auto number = synalinks::detail::json_integer<T>(value)) return *number;
    throw InvalidArgument(std::string("field \"") + name + "\": expected " + expected +
                          " that fits, found " + value.dump());
  }
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InvalidArgument(std::string("field \"") + name + "\": expected " + expected + ", found " +
                          value.dump());
  }
}

Json sample_scores_to_json(const SampleScores& samples) {
  return {
      {"metric", samples.metric}, {"sample_set", samples.sample_set}, {"values", samples.values}};
}

SampleScores sample_scores_from_json(const Json& json) {
  if (!json.is_object())
    throw InvalidArgument("field \"sample_scores\": expected an object, found " + json.dump());
  SampleScores samples{.metric = typed_field<std::string>(json, "metric", "a string"),
                       .sample_set = typed_field<std::string>(json, "sample_set", "a string")};
  const Json& values = field(json, "values");
  if (!values.is_array())
    throw InvalidArgument(
        "field \"values\" of \"sample_scores\": expected an array of numbers, "
        "found " +
        values.dump());
  for (const Json& value : values) {
    if (!value.is_number() || value.is_boolean() || !std::isfinite(value.get<double>()))
      throw InvalidArgument(
          "field \"values\" of \"sample_scores\": expected finite numbers, "
          "found " +
          value.dump());
    samples.values.push_back(value.get<double>());
  }
  return samples;
}

}  // namespace

std::string_view to_string(TrialStatus status) {
  for (const auto& [value, name] : kStatusNames)
    if (value == status) return name;
  return "UNKNOWN";
}

TrialStatus trial_status_from_string(std::string_view text) {
  for (const auto& [value, name] : kStatusNames)
    if (name == text) return value;
  throw InvalidArgument("unknown trial status '" + std::string(text) +
                        "'; expected RUNNING, IDLE, INVALID, STOPPED, COMPLETED or FAILED");
}

bool is_finished(TrialStatus status) {
  return status == TrialStatus::completed || status == TrialStatus::stopped ||
         status == TrialStatus::invalid || status == TrialStatus::failed;
}

Metrics Trial::final_metrics(const Objectives& objective) const {
  Metrics out;
  for (const auto& [name, history] : metrics.all()) {
    if (history.empty()) continue;
    std::int64_t step = history.observations().back().step;
    const bool is_objective =
        name == objective.name() ||
        std::any_of(objective.list().begin(), objective.list().end(),
                    [&metric = name](const Objective& single) { return single.name() == metric; });
    if (is_objective && best_step && history.value_at(*best_step)) step = *best_step;
    out[name] = *history.value_at(step);
    if (const auto uncertainty = history.uncertainty_at(step))
      set_uncertainty(out, name, *uncertainty);
  }
  return out;
}

std::optional<Uncertainty> Trial::score_uncertainty(const Objectives& objective) const {
  if (!best_step || objective.is_multi()) return std::nullopt;
  const MetricHistory* history = metrics.find(objective.name());
  return history ? history->uncertainty_at(*best_step) : std::nullopt;
}

std::optional<double> Trial::score_variance(const Objectives& objective) const {
  const auto uncertainty = score_uncertainty(objective);
  if (!uncertainty || !std::isfinite(uncertainty->std_error) || !(uncertainty->std_error > 0))
    return std::nullopt;
  return uncertainty->std_error * uncertainty->std_error;
}

Json Trial::to_json() const {
  Json out;
  out["trial_id"] = trial_id;
  out["hyperparameters"] = hyperparameters.to_json();
  out["metrics"] = metrics.to_json();
  out["score"] = score && std::isfinite(*score) ? Json(*score) : Json(nullptr);
  out["best_step"] = best_step ? Json(*best_step) : Json(nullptr);
  out["status"] = to_string(status);
  out["message"] = message.empty() ? Json(nullptr) : Json(message);
  out["run_times"] = run_times;
  out["duration_seconds"] = duration_seconds;
  out["start_time"] = start_time.empty() ? Json(nullptr) : Json(start_time);
  out["end_time"] = end_time.empty() ? Json(nullptr) : Json(end_time);
  out["number"] = number;
  out["tuner_id"] = tuner_id.empty() ? Json(nullptr) : Json(tuner_id);
  if (sample_scores) out["sample_scores"] = sample_scores_to_json(*sample_scores);
  return out;
}

Trial Trial::from_json(const Json& json) {
  if (!json.is_object()) throw InvalidArgument("expected a JSON object, found " + json.dump());
  Trial trial;
  trial.trial_id = typed_field<std::string>(json, "trial_id", "a string");
  if (trial.trial_id.empty())
    throw InvalidArgument("field \"trial_id\": expected a non-empty string");
  trial.hyperparameters = HyperParameters::from_json(field(json, "hyperparameters"));
  trial.status = trial_status_from_string(typed_field<std::string>(json, "status", "a string"));
  if (json.contains("metrics") && !json["metrics"].is_null())
    trial.metrics = MetricsTracker::from_json(json["metrics"]);
  if (json.contains("score") && !json["score"].is_null())
    trial.score = typed_field<double>(json, "score", "a number or null");
  if (json.contains("best_step") && !json["best_step"].is_null())
    trial.best_step = typed_field<std::int64_t>(json, "best_step", "an integer or null");
  if (json.contains("message") && !json["message"].is_null())
    trial.message = typed_field<std::string>(json, "message", "a string or null");
  if (json.contains("run_times"))
    trial.run_times = typed_field<int>(json, "run_times", "an integer");
  if (json.contains("duration_seconds"))
    trial.duration_seconds = typed_field<double>(json, "duration_seconds", "a number");
  if (json.contains("start_time") && !json["start_time"].is_null())
    trial.start_time = typed_field<std::string>(json, "start_time", "a string");
  if (json.contains("end_time") && !json["end_time"].is_null())
    trial.end_time = typed_field<std::string>(json, "end_time", "a string");
  if (json.contains("number"))
    trial.number = typed_field<std::int64_t>(json, "number", "an integer");
  if (json.contains("tuner_id") && !json["tuner_id"].is_null())
    trial.tuner_id = typed_field<std::string>(json, "tuner_id", "a string or null");
  if (json.contains("sample_scores") && !json["sample_scores"].is_null())
    trial.sample_scores = sample_scores_from_json(json["sample_scores"]);
  return trial;
}

std::string Trial::summary() const {
  return summary(Objectives(), std::nullopt);
}

std::string Trial::summary(const Objectives& objective, std::optional<double> estimate) const {
  std::ostringstream out;
  out << "Trial " << trial_id << " summary\nHyperparameters:\n";
  if (hyperparameters.values().empty()) out << "default configuration\n";
  for (const auto& [name, value] : hyperparameters.values())
    out << name << ": " << synalinks::to_string(value) << "\n";
  if (score) {
    out << "Score: " << format_estimate(*score, score_uncertainty(objective)) << "\n";
    if (estimate && *estimate != *score)
      out << "Estimated score: " << python_float_repr(std::round(*estimate * 1e4) / 1e4)
          << " (the score shrunk by its uncertainty; trials are ranked by it)\n";
  }
  if (!message.empty()) out << message << "\n";
  return out.str();
}

}  // namespace synalinks::tuners

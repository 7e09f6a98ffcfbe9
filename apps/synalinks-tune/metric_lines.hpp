// The metric lines a trial reports, as JSON: the trial command's result on the last line of its
// stdout and its step lines before it, and tell's --metrics. A metric may come with its
// uncertainty: {"val_reward": {"value": 0.71, "stderr": 0.09, "count": 24}}, and with the
// per-sample values behind it ("samples", "sample_set").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "synalinks/json.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::cli {

// The metrics a trial reports, as JSON: one number (the value of `objective_name`), or an object
// whose values are numbers (null: not a number) or, for a metric measured with its uncertainty,
// {"value": number, "stderr": number >= 0, "count": number >= 0} (stderr and count optional; a
// count needs its stderr). The uncertainty becomes the companion keys "<metric>/stderr" and
// "<metric>/count". InvalidArgument naming the metric, what was found and the expected form
// otherwise; `source` says where the JSON came from ("the trial command", "--metrics").
tuners::Metrics parse_metrics(const Json& json, const std::string& objective_name,
                              const std::string& source);

// The metrics of the last non-empty line of `output` (parse_metrics' forms). InvalidArgument
// explaining what was found otherwise.
tuners::Metrics parse_metrics_line(const std::string& output, const std::string& objective_name);

// The per-sample values the objective's object gives on the last non-empty line of `output`
// ({"loss": {"value": 0.3, "stderr": 0.05, "count": 24, "samples": [...], "sample_set": "dev"}}),
// which the trial keeps for the paired ranking; none when it gives none. InvalidArgument as
// parse_metrics_line.
std::optional<tuners::SampleScores> parse_sample_scores_line(const std::string& output,
                                                             const std::string& objective_name);

// The metrics of `tell --metrics TEXT` (parse_metrics' forms).
tuners::Metrics parse_metrics_option(const std::string& text, const std::string& objective_name);

// An intermediate report: a line of the trial command's stdout holding a JSON object with a
// "step" key (an integer) beside metrics of parse_metrics' forms: {"step": 3, "loss": 0.4}.
struct StepLine {
  std::int64_t step = 0;
  tuners::Metrics metrics;
};
// The step line `line` is, or nullopt for any other line (text, JSON without "step").
// InvalidArgument for a "step" that is not an integer or malformed metrics.
std::optional<StepLine> parse_step_line(const std::string& line, const std::string& objective_name);

// The last line of `text` that is not empty (trailing spaces and carriage returns cut), or "".
std::string last_non_empty_line(const std::string& text);

}  // namespace synalinks::cli

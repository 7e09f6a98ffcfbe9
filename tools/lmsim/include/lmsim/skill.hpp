// The simulator's skill model: the probability that a model answers a known question right.
// Header only, so that tests and benchmarks compute the true accuracy of a configuration with the
// very formula the simulator draws from.
#pragma once

#include <algorithm>
#include <map>
#include <string>

namespace lmsim {

// The probability is
//   base_accuracy
//   + reasoning_field_bonus      if the schema asks for a reasoning field before the answer
//   + reasoning_effort_bonus[e]  if the model accepts reasoning_effort and the request sets it
//   + min(few_shot_bonus_max, few_shot_bonus_per_example * worked examples in the prompt)
//   - temperature_penalty * temperature
//   - temperature_curvature * (temperature - temperature_optimum)^2
// clamped to [min_accuracy, max_accuracy].
struct SkillConfig {
  double base_accuracy = 0.35;
  double reasoning_field_bonus = 0.20;
  std::map<std::string, double> reasoning_effort_bonus = {
      {"minimal", 0.0}, {"low", 0.05}, {"medium", 0.10}, {"high", 0.14}};
  double few_shot_bonus_per_example = 0.03;
  double few_shot_bonus_max = 0.12;
  double temperature_penalty = 0.15;
  double temperature_curvature = 0.0;
  double temperature_optimum = 0.0;
  double min_accuracy = 0.02;
  double max_accuracy = 0.97;
};

// What a request brings to the skill model.
struct SkillInputs {
  bool reasoning_field = false;
  std::string reasoning_effort{};  // empty: not set, or not accepted by the model
  int examples = 0;
  double temperature = 1.0;  // OpenAI's default when the request sets none
};

inline double expected_accuracy(const SkillConfig& skill, const SkillInputs& in) {
  double p = skill.base_accuracy;
  if (in.reasoning_field) p += skill.reasoning_field_bonus;
  if (!in.reasoning_effort.empty()) {
    const auto it = skill.reasoning_effort_bonus.find(in.reasoning_effort);
    if (it != skill.reasoning_effort_bonus.end()) p += it->second;
  }
  p += std::min(skill.few_shot_bonus_max, skill.few_shot_bonus_per_example * in.examples);
  p -= skill.temperature_penalty * in.temperature;
  const double off = in.temperature - skill.temperature_optimum;
  p -= skill.temperature_curvature * off * off;
  return std::clamp(p, skill.min_accuracy, skill.max_accuracy);
}

}  // namespace lmsim

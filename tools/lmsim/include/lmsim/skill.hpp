// The simulator's skill model: the probability that a model answers a known question right.
// Header only, so that tests and benchmarks compute the true accuracy of a configuration with the
// very formula the simulator draws from.
#pragma once

#include <algorithm>
#include <cmath>
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
  // Above temperature 0, the share of the variance of a draw that comes from the question's own
  // difficulty (shared by every configuration asked that question) rather than from the
  // request: 0 makes every answer an independent draw, 1 makes the question alone decide.
  double question_difficulty_weight = 0.0;
};

// What a request brings to the skill model.
struct SkillInputs {
  bool reasoning_field = false;
  std::string reasoning_effort{};  // empty: not set, or not accepted by the model
  int examples = 0;
  double temperature = 1.0;  // OpenAI's default when the request sets none
};

// Phi^-1 by Acklam's rational approximation (relative error below 1.2e-9), for mix_uniforms.
inline double normal_quantile(double u) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  u = std::clamp(u, 1e-12, 1 - 1e-12);
  if (u < 0.02425) {
    const double q = std::sqrt(-2 * std::log(u));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (u > 1 - 0.02425) return -normal_quantile(1 - u);
  const double q = u - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// A uniform draw that shares the proportion `weight` of its variance with `shared`: both are
// mapped to normal scores, mixed with weights sqrt(weight) and sqrt(1 - weight), and mapped back.
inline double mix_uniforms(double shared, double own, double weight) {
  if (weight <= 0) return own;
  if (weight >= 1) return shared;
  const double z =
      std::sqrt(weight) * normal_quantile(shared) + std::sqrt(1 - weight) * normal_quantile(own);
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

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

// The skill of the built-in model sim-guide, the landscape of the guide's search (best 0.66, the
// second-best region 0.05 below): chain of thought pays through reasoning effort (the guide's
// Generator sets none), minimal effort costs accuracy, and sampling is best near temperature 0.3;
// as with real questions, most of the variance of an answer is the question's difficulty. Best:
// chain of thought, medium effort, temperature 0.3, three examples: 0.66; low effort there 0.61;
// the guide's defaults (chain of thought, low, temperature 0) 0.574; a Generator at temperature 1
// 0.334.
inline SkillConfig guide_skill() {
  return {.base_accuracy = 0.40,
          .reasoning_field_bonus = 0.10,
          .reasoning_effort_bonus = {{"minimal", -0.02},
                                     {"low", 0.08},
                                     {"medium", 0.13},
                                     {"high", 0.15}},
          .few_shot_bonus_per_example = 0.01,
          .few_shot_bonus_max = 0.03,
          .temperature_penalty = 0.0,
          .temperature_curvature = 0.4,
          .temperature_optimum = 0.3,
          .question_difficulty_weight = 0.7};
}

}  // namespace lmsim

#include "synalinks/program/optimizers.hpp"

#include <algorithm>
#include <numeric>

#include "synalinks/errors.hpp"

namespace synalinks::program::optimizers {

RandomFewShot::RandomFewShot(RandomFewShotOptions options)
    : options_(std::move(options)), rng_(options_.seed) {
  if (options_.k == 0) {
    throw InvalidArgument("RandomFewShot: k is 0; expected at least one example per candidate");
  }
}

std::unique_ptr<Optimizer> RandomFewShot::clone() const {
  return std::make_unique<RandomFewShot>(options_);
}

std::optional<VariableValues> RandomFewShot::propose(
    const VariableValues& current,
    const std::map<std::string, std::vector<ScoredPrediction>>& predictions) {
  // The variables that have qualifying predictions, each with the indices of those.
  std::vector<std::pair<std::string, std::vector<std::size_t>>> eligible;
  for (const auto& [path, scored] : predictions) {
    if (!current.contains(path)) continue;
    std::vector<std::size_t> good;
    for (std::size_t i = 0; i < scored.size(); ++i)
      if (scored[i].reward >= options_.min_reward) good.push_back(i);
    if (!good.empty()) eligible.emplace_back(path, std::move(good));
  }
  if (eligible.empty()) return std::nullopt;
  auto& [path, good] =
      eligible[std::uniform_int_distribution<std::size_t>(0, eligible.size() - 1)(rng_)];
  const std::size_t k = std::min(options_.k, good.size());
  // A partial Fisher-Yates shuffle draws k distinct predictions.
  for (std::size_t i = 0; i < k; ++i) {
    std::swap(good[i], good[std::uniform_int_distribution<std::size_t>(i, good.size() - 1)(rng_)]);
  }
  std::vector<std::size_t> chosen(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(k));
  std::sort(chosen.begin(), chosen.end());  // examples keep the order they were seen in
  Json examples = Json::array();
  const auto& scored = predictions.at(path);
  for (const std::size_t i : chosen)
    examples.push_back({{"inputs", scored[i].inputs}, {"outputs", scored[i].outputs}});
  Json value = current.at(path);
  value["examples"] = std::move(examples);
  return VariableValues{{path, std::move(value)}};
}

Json RandomFewShot::get_config() const {
  return {{"name", options_.name},
          {"k", options_.k},
          {"min_reward", options_.min_reward},
          {"seed", options_.seed}};
}

}  // namespace synalinks::program::optimizers

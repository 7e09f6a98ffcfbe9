// Optimizers propose new values for a program's trainable variables (instructions, few-shot
// examples) from the program's scored training predictions. Program::fit scores every proposal
// on validation samples and keeps the best one in the variables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::program {

// A training prediction of one module, with the reward its sample got.
struct ScoredPrediction {
  Json inputs{};
  Json outputs{};
  double reward = 0.0;
};

// Values of trainable variables, by variable path.
using VariableValues = std::map<std::string, Json>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual const std::string& name() const = 0;
  virtual std::unique_ptr<Optimizer> clone() const = 0;
  // Called when fit starts: the optimizer starts again from its seed.
  virtual void reset() = 0;
  // New values for some trainable variables, given their current values and, per variable,
  // the scored training predictions made so far in this fit. nullopt: nothing to propose yet.
  virtual std::optional<VariableValues> propose(
      const VariableValues& current,
      const std::map<std::string, std::vector<ScoredPrediction>>& predictions) = 0;
  // Settings, for logs and checkpoints.
  virtual Json get_config() const = 0;
};

namespace optimizers {

struct RandomFewShotOptions {
  std::size_t k = 3;        // examples per candidate (fewer while fewer qualify)
  double min_reward = 0.5;  // a prediction qualifies as an example from this reward on
  std::uint64_t seed = 0;
  std::string name = "random_few_shot";
};

// Proposes, for one trainable variable at a time, a set of k few-shot examples drawn at random
// from the training predictions that scored at least min_reward. fit never keeps two candidates
// with the same examples, so every candidate it scores is really different.
class RandomFewShot final : public Optimizer {
 public:
  // InvalidArgument when k is 0.
  explicit RandomFewShot(RandomFewShotOptions options = {});
  const std::string& name() const override { return options_.name; }
  std::unique_ptr<Optimizer> clone() const override;
  void reset() override { rng_.seed(options_.seed); }
  std::optional<VariableValues> propose(
      const VariableValues& current,
      const std::map<std::string, std::vector<ScoredPrediction>>& predictions) override;
  Json get_config() const override;

 private:
  RandomFewShotOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace optimizers
}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::Optimizer;
using program::ScoredPrediction;
using program::VariableValues;
namespace optimizers = program::optimizers;
}  // namespace synalinks

// A trial record (`trial_<id>/trial.json` of a project folder, the trial column of the SQL
// storages). Whatever Trial::from_json accepts must write back to the same record and be usable
// by an oracle resuming a search with it (ranking, summaries, the next trial).
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/trial.hpp"

namespace sl = synalinks;
namespace tn = synalinks::tuners;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = sl::fuzz::parse_json(data, size);
  if (!json) return 0;
  tn::Trial trial;
  try {
    trial = tn::Trial::from_json(*json);
  } catch (const sl::Error&) {
    return 0;  // rejected with our exception: fine
  }
  const sl::Json written = trial.to_json();
  if (tn::Trial::from_json(written).to_json() != written) std::abort();
  (void)trial.summary();

  // Resumed by an oracle, with one objective or two (trials written by Optuna name theirs
  // "__objective_<index>").
  const tn::Objectives objective = size % 2 == 0
                                       ? tn::Objectives("loss")
                                       : tn::Objectives({tn::Objective("loss", tn::Direction::min),
                                                         tn::Objective("acc", tn::Direction::max)});
  const sl::Json state{{"oracle_class", "RandomSearch"},
                       {"objective", objective.to_json()},
                       {"hyperparameters", sl::HyperParameters().to_json()},
                       {"seed", 1}};
  tn::RandomSearchOracle oracle({.objective = objective, .max_trials = 3, .seed = 1});
  try {
    oracle.restore({.oracle_state = state, .trials = {trial}}, "fuzz");
  } catch (const sl::Error&) {
    return 0;  // a documented ProjectError
  }
  for (const tn::Trial& best : oracle.get_best_trials(2)) {
    (void)best.summary(objective, std::nullopt);
    (void)best.final_metrics(objective);
  }
  (void)oracle.estimated_scores();
  (void)oracle.get_pareto_front();
  try {
    (void)oracle.ask();
  } catch (const sl::Error&) {
  }
  return 0;
}

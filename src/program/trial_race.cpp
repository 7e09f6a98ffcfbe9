// Racing for program trials: the incumbent's rewards are read from its folder, and each trial's
// are written to its own.
#include "trial_race.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <numeric>

#include "synalinks/storage/project_directory.hpp"

namespace synalinks::program::detail {
namespace {

// Identifies the validation samples (inputs and expected outputs, in their given order), so that
// rewards measured on other samples are never compared with ours. FNV-1a, 64 bits.
std::string validation_fingerprint(const Dataset& validation) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto add = [&hash](const std::string& text) {
    for (const unsigned char c : text) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff;  // a separator, so that ("ab", "c") and ("a", "bc") differ
    hash *= 0x100000001b3ULL;
  };
  for (std::size_t i = 0; i < validation.size(); ++i) {
    add(validation.x[i].dump());
    add(i < validation.y.size() ? validation.y[i].dump() : std::string());
  }
  return fmt::format("{:016x}", hash);
}

bool races_on_val_reward(const tuners::Oracle& oracle) {
  const tuners::Objectives& objective = oracle.objective();
  return !objective.is_multi() && objective.name() == "val_reward" &&
         objective.direction() == tuners::Direction::max;
}

// The rewards the incumbent left, when they were measured on these samples in this order.
struct Incumbent {
  std::string trial_id;
  std::vector<double> rewards;
};

std::optional<Incumbent> read_incumbent(const tuners::TrialContext& context,
                                        const Dataset& validation) {
  const auto best = context.oracle->get_best_trials(1);
  if (best.empty() || best.front().status != tuners::TrialStatus::completed) return std::nullopt;
  auto rewards = read_race_rewards(
      context.trial_dir.parent_path() / ("trial_" + best.front().trial_id), context, validation);
  if (!rewards) return std::nullopt;
  return Incumbent{.trial_id = best.front().trial_id, .rewards = std::move(*rewards)};
}

}  // namespace

double mean_of_first(const std::vector<double>& values, std::size_t count) {
  return count == 0 ? 0.0
                    : std::accumulate(values.begin(),
                                      values.begin() + static_cast<std::ptrdiff_t>(count), 0.0) /
                          static_cast<double>(count);
}

std::optional<ValidationRace> prepare_race(const tuners::TrialContext& context,
                                           const Dataset& validation,
                                           const RacingOptions& options) {
  if (!options.enabled || context.oracle == nullptr || !races_on_val_reward(*context.oracle) ||
      validation.empty())
    return std::nullopt;
  ValidationRace race{.order = racing_order(validation.size(), context.search_seed),
                      .stages = racing_stages(validation.size(), options.first_stage)};
  auto incumbent = read_incumbent(context, validation);
  if (!incumbent || incumbent->rewards.size() < validation.size()) return race;
  const double alpha = 1.0 - options.confidence;
  const std::size_t total = validation.size();
  race.judge = [incumbent = std::move(*incumbent), alpha,
                total](const std::vector<double>& rewards) -> std::optional<std::string> {
    const double p = sign_test_p_value(rewards, incumbent.rewards);
    if (!(p < alpha)) return std::nullopt;
    const std::size_t n = rewards.size();
    return fmt::format(
        "stopped by racing after {} of {} validation samples: worse than trial {} on the same "
        "samples ({:.3g} against {:.3g}; sign test p = {:.2g} < {:.2g})",
        n, total, incumbent.trial_id, mean_of_first(rewards, n),
        mean_of_first(incumbent.rewards, n), p, alpha);
  };
  return race;
}

void save_race_rewards(const tuners::TrialContext& context, const Dataset& validation,
                       const std::vector<double>& rewards) {
  const Json saved = {{"order_seed", context.search_seed},
                      {"validation", validation_fingerprint(validation)},
                      {"rewards", rewards}};
  std::filesystem::create_directories(context.trial_dir);
  storage::write_file_atomically(context.trial_dir / kValidationRewardsFile, saved.dump(),
                                 /*sync=*/false);
}

std::optional<tuners::SampleScores> race_sample_scores(const tuners::TrialContext& context,
                                                       const Dataset& validation,
                                                       const std::vector<double>& rewards) {
  if (rewards.empty() ||
      !std::all_of(rewards.begin(), rewards.end(), [](double r) { return std::isfinite(r); }))
    return std::nullopt;
  return tuners::SampleScores{
      .metric = "val_reward",
      .sample_set =
          fmt::format("{} in order {}", validation_fingerprint(validation), context.search_seed),
      .values = rewards};
}

std::optional<std::vector<double>> read_race_rewards(const std::filesystem::path& trial_dir,
                                                     const tuners::TrialContext& context,
                                                     const Dataset& validation) {
  std::ifstream in(trial_dir / kValidationRewardsFile);
  if (!in) return std::nullopt;  // a trial of a search without racing, or of another machine
  try {
    const Json saved = Json::parse(in);
    if (saved.at("order_seed") != Json(context.search_seed) ||
        saved.at("validation").get<std::string>() != validation_fingerprint(validation))
      return std::nullopt;
    return saved.at("rewards").get<std::vector<double>>();
  } catch (const std::exception&) {
    // Unreadable: rewards we cannot trust are no rewards.
    return std::nullopt;
  }
}

}  // namespace synalinks::program::detail

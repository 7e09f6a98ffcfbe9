#include "synalinks/tuners/hyperband.hpp"

#include <algorithm>
#include <cmath>

#include "synalinks/errors.hpp"
#include "util/json_integer.hpp"

namespace synalinks::tuners {
namespace {

// Values that only say how long a trial trains: left out of duplicate detection, so that a
// configuration is not tried twice in round 0, while promotions (which carry tuner/trial_id) are
// never duplicates.
constexpr std::string_view kTrainingKeys[] = {"tuner/epochs", "tuner/initial_epoch",
                                              "tuner/bracket", "tuner/round"};

double power(std::int64_t base, std::int64_t exponent) {
  return std::pow(static_cast<double>(base), static_cast<double>(exponent));
}

Json entry_id(const std::optional<std::string>& id) {
  return id ? Json(*id) : Json(nullptr);
}

}  // namespace

HyperbandOracle::HyperbandOracle(OracleOptions options, HyperbandOptions hyperband)
    : Oracle(std::move(options), "Hyperband"), hyperband_(hyperband) {
  if (hyperband_.factor < 2)
    throw InvalidArgument("Hyperband factor is " + std::to_string(hyperband_.factor) +
                          "; expected an integer of 2 or more");
  if (hyperband_.max_epochs < 1)
    throw InvalidArgument("Hyperband max_epochs is " + std::to_string(hyperband_.max_epochs) +
                          "; expected 1 or more");
  if (hyperband_.hyperband_iterations < 0)
    throw InvalidArgument("Hyperband hyperband_iterations is " +
                          std::to_string(hyperband_.hyperband_iterations) +
                          "; expected 0 (no limit) or more");
  current_bracket_ = num_brackets() - 1;
  brackets_.push_back(new_bracket(current_bracket_));
}

std::int64_t HyperbandOracle::num_brackets() const {
  // As keras-tuner counts them: divide max_epochs by the factor (in floating point) until it
  // falls below 1.
  double epochs = static_cast<double>(hyperband_.max_epochs);
  std::int64_t brackets = 0;
  while (epochs >= 1) {
    epochs /= static_cast<double>(hyperband_.factor);
    ++brackets;
  }
  return brackets;
}

std::int64_t HyperbandOracle::size(std::int64_t bracket, std::int64_t round) const {
  const double last_bracket_size =
      std::ceil(1 + std::log(static_cast<double>(hyperband_.max_epochs)) /
                        std::log(static_cast<double>(hyperband_.factor)));
  const double bracket_end_size = last_bracket_size / static_cast<double>(bracket + 1);
  return static_cast<std::int64_t>(
      std::ceil(bracket_end_size * power(hyperband_.factor, bracket - round)));
}

std::int64_t HyperbandOracle::epochs(std::int64_t bracket, std::int64_t round) const {
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(hyperband_.max_epochs) /
                                             power(hyperband_.factor, bracket - round)));
}

HyperbandOracle::Bracket HyperbandOracle::new_bracket(std::int64_t bracket_num) const {
  Bracket bracket;
  bracket.bracket_num = bracket_num;
  bracket.rounds.resize(static_cast<std::size_t>(bracket_num + 1));
  return bracket;
}

bool HyperbandOracle::is_finished(const Bracket& bracket) const {
  const auto last = bracket.bracket_num;
  return static_cast<std::int64_t>(bracket.rounds[static_cast<std::size_t>(last)].size()) ==
         size(bracket.bracket_num, last);
}

Oracle::Proposal HyperbandOracle::random_trial(Bracket& bracket, const std::string& trial_id) {
  auto values = random_values(next_trial_index());
  if (!values)
    return {.status = has_ongoing_trials() ? TrialStatus::idle : TrialStatus::stopped,
            .values = {}};
  values->set("tuner/epochs", epochs(bracket.bracket_num, 0));
  values->set("tuner/initial_epoch", std::int64_t{0});
  values->set("tuner/bracket", bracket.bracket_num);
  values->set("tuner/round", std::int64_t{0});
  bracket.rounds[0].push_back({.past_id = std::nullopt, .id = trial_id});
  return {.status = TrialStatus::running, .values = std::move(*values)};
}

std::optional<Oracle::Proposal> HyperbandOracle::promotion(Bracket& bracket, std::int64_t round,
                                                           const std::string& trial_id) {
  const auto b = bracket.bracket_num;
  auto& current = bracket.rounds[static_cast<std::size_t>(round)];
  const auto& previous = bracket.rounds[static_cast<std::size_t>(round - 1)];
  std::vector<const Trial*> candidates;
  for (const auto& entry : previous) {
    const bool promoted = std::any_of(current.begin(), current.end(),
                                      [&](const Entry& next) { return next.past_id == entry.id; });
    if (promoted) continue;
    const auto& order = trial_order();
    if (std::find(order.begin(), order.end(), entry.id) == order.end()) continue;
    const Trial& trial = trial_ref(entry.id);
    if (trial.status == TrialStatus::completed && trial.score) candidates.push_back(&trial);
  }
  // More finished trials than the round throws away: the best of them goes on.
  if (static_cast<std::int64_t>(candidates.size()) <= size(b, round - 1) - size(b, round))
    return std::nullopt;
  std::stable_sort(candidates.begin(), candidates.end(), [this](const Trial* x, const Trial* y) {
    return objective().better_than(*x->score, *y->score);
  });
  const Trial& best = *candidates.front();
  ValueMap values;
  for (const auto& [name, value] : best.hyperparameters.values()) values.set(name, value);
  values.set("tuner/trial_id", best.trial_id);
  values.set("tuner/epochs", epochs(b, round));
  values.set("tuner/initial_epoch", epochs(b, round - 1));
  values.set("tuner/bracket", b);
  values.set("tuner/round", round);
  current.push_back({.past_id = best.trial_id, .id = trial_id});
  return Proposal{.status = TrialStatus::running, .values = std::move(values)};
}

Oracle::Proposal HyperbandOracle::populate_space(const std::string& trial_id) {
  std::erase_if(brackets_, [this](const Bracket& bracket) { return is_finished(bracket); });
  for (auto& bracket : brackets_) {
    if (static_cast<std::int64_t>(bracket.rounds[0].size()) < size(bracket.bracket_num, 0))
      return random_trial(bracket, trial_id);
    for (std::int64_t round = 1; round <= bracket.bracket_num; ++round)
      if (auto proposal = promotion(bracket, round, trial_id)) return std::move(*proposal);
  }
  const bool last_iteration = hyperband_.hyperband_iterations > 0 &&
                              current_iteration_ + 1 >= hyperband_.hyperband_iterations;
  if (current_bracket_ == 0 && last_iteration)
    return {.status = has_ongoing_trials() ? TrialStatus::idle : TrialStatus::stopped,
            .values = {}};
  // Open the next bracket (several may run at once when trials run in parallel).
  if (--current_bracket_ < 0) {
    current_bracket_ = num_brackets() - 1;
    ++current_iteration_;
  }
  brackets_.push_back(new_bracket(current_bracket_));
  return random_trial(brackets_.back(), trial_id);
}

std::string HyperbandOracle::duplicate_key(const ValueMap& values) const {
  ValueMap kept;
  for (const auto& [name, value] : values) {
    if (std::find(std::begin(kTrainingKeys), std::end(kTrainingKeys), name) ==
        std::end(kTrainingKeys))
      kept.set(name, value);
  }
  return kept.canonical_key();
}

Json HyperbandOracle::extra_state() const {
  Json brackets = Json::array();
  for (const auto& bracket : brackets_) {
    Json rounds = Json::array();
    for (const auto& round : bracket.rounds) {
      Json entries = Json::array();
      for (const auto& entry : round)
        entries.push_back({{"past_id", entry_id(entry.past_id)}, {"id", entry.id}});
      rounds.push_back(std::move(entries));
    }
    brackets.push_back({{"bracket_num", bracket.bracket_num}, {"rounds", std::move(rounds)}});
  }
  Json out;
  out["hyperband_iterations"] = hyperband_.hyperband_iterations;
  out["max_epochs"] = hyperband_.max_epochs;
  out["min_epochs"] = 1;
  out["factor"] = hyperband_.factor;
  out["brackets"] = std::move(brackets);
  out["current_bracket"] = current_bracket_;
  out["current_iteration"] = current_iteration_;
  return out;
}

void HyperbandOracle::restore_extra_state(const Json& state) {
  // The bracket arithmetic of a search in progress cannot change; the number of iterations can
  // (the tuner's own setting wins, as max_trials does).
  const auto integer = [](const Json& holder, const char* name) {
    const Json& value = holder.at(name);
    if (const auto number = synalinks::detail::json_integer<std::int64_t>(value)) return *number;
    throw InvalidArgument("the saved Hyperband state has " + std::string(name) + " " +
                          value.dump() + "; expected an integer");
  };
  const auto max_epochs = integer(state, "max_epochs");
  const auto factor = integer(state, "factor");
  if (factor < 2 || max_epochs < 1)
    throw InvalidArgument("the saved Hyperband state has factor " + std::to_string(factor) +
                          " and max_epochs " + std::to_string(max_epochs) +
                          "; expected a factor of 2 or more and max_epochs of 1 or more");
  hyperband_.max_epochs = max_epochs;
  hyperband_.factor = factor;
  // Bracket numbers count down from num_brackets() - 1 to 0.
  const auto check_bracket = [this](std::int64_t number, const char* what) {
    if (number < 0 || number >= num_brackets())
      throw InvalidArgument("the saved Hyperband state has " + std::string(what) + " " +
                            std::to_string(number) + "; expected 0 to " +
                            std::to_string(num_brackets() - 1) + " for max_epochs " +
                            std::to_string(hyperband_.max_epochs) + " and factor " +
                            std::to_string(hyperband_.factor));
    return number;
  };
  current_bracket_ = check_bracket(integer(state, "current_bracket"), "current_bracket");
  current_iteration_ = integer(state, "current_iteration");
  brackets_.clear();
  for (const auto& saved : state.at("brackets")) {
    Bracket bracket = new_bracket(check_bracket(integer(saved, "bracket_num"), "bracket_num"));
    const auto& rounds = saved.at("rounds");
    if (rounds.size() != bracket.rounds.size())
      throw InvalidArgument("bracket " + std::to_string(bracket.bracket_num) + " has " +
                            std::to_string(rounds.size()) + " rounds; expected " +
                            std::to_string(bracket.rounds.size()));
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      for (const auto& entry : rounds[r]) {
        std::optional<std::string> past;
        if (!entry.at("past_id").is_null()) past = entry.at("past_id").get<std::string>();
        bracket.rounds[r].push_back({.past_id = past, .id = entry.at("id").get<std::string>()});
      }
    }
    brackets_.push_back(std::move(bracket));
  }
}

void HyperbandOracle::on_trial_replaced(const std::string& old_id, const std::string& new_id) {
  for (auto& bracket : brackets_)
    for (auto& round : bracket.rounds)
      for (auto& entry : round)
        if (entry.id == old_id) entry.id = new_id;
}

void HyperbandOracle::on_resumed() {
  // A trial written just before a crash may be missing from the saved brackets: put it back in
  // the open bracket of its number, at its round. (A shared storage writes both in one
  // transaction, and a trial replaced after losing its worker is missing on purpose.)
  if (shared()) return;
  for (const auto& id : trial_order()) {
    const auto& values = trial_ref(id).hyperparameters.values();
    const Value* bracket_value = values.find("tuner/bracket");
    const Value* round_value = values.find("tuner/round");
    if (!bracket_value || !round_value) continue;
    const bool known = std::any_of(brackets_.begin(), brackets_.end(), [&](const Bracket& bracket) {
      return std::any_of(bracket.rounds.begin(), bracket.rounds.end(), [&](const auto& round) {
        return std::any_of(round.begin(), round.end(),
                           [&](const Entry& entry) { return entry.id == id; });
      });
    });
    if (known) continue;
    const auto* bracket_num = std::get_if<std::int64_t>(bracket_value);
    const auto* round = std::get_if<std::int64_t>(round_value);
    if (!bracket_num || !round) continue;
    for (auto it = brackets_.rbegin(); it != brackets_.rend(); ++it) {
      if (it->bracket_num != *bracket_num || *round > it->bracket_num) continue;
      std::optional<std::string> past;
      if (const auto* parent = values.find("tuner/trial_id"))
        if (const auto* text = std::get_if<std::string>(parent)) past = *text;
      it->rounds[static_cast<std::size_t>(*round)].push_back({.past_id = past, .id = id});
      break;
    }
  }
}

std::unique_ptr<Oracle> Hyperband::make_oracle(const TunerOptions& options,
                                               const HyperbandOptions& hyperband) {
  return std::make_unique<HyperbandOracle>(options.oracle_options(), hyperband);
}

}  // namespace synalinks::tuners

#include "fit_loop.hpp"

#include <algorithm>
#include <functional>
#include <future>
#include <numeric>
#include <ostream>

#include "progress_bar.hpp"

namespace synalinks::program::detail {
namespace {

std::string fingerprint_of(const VariableValues& values) {
  Json object = Json::object();
  for (const auto& [path, value] : values) object[path] = value;
  return object.dump();
}

}  // namespace

// A prediction of a candidate on one sample, and its reward.
struct FitLoop::Scored {
  std::optional<Json> prediction;
  double reward = 0.0;
};

// A set of values of the trainable variables, with its rewards on the training samples it was
// compared on and what the validation samples made of it.
struct FitLoop::Candidate {
  VariableValues values;
  std::string fingerprint;
  std::map<std::size_t, double> selection;   // reward by training sample index
  std::map<std::size_t, Scored> validation;  // by validation sample index

  std::vector<double> validation_rewards() const {
    std::vector<double> rewards;
    for (const auto& [index, scored] : validation) rewards.push_back(scored.reward);
    return rewards;
  }
  double mean_reward() const {
    const auto rewards = validation_rewards();
    return rewards.empty() ? 0.0
                           : std::accumulate(rewards.begin(), rewards.end(), 0.0) /
                                 static_cast<double>(rewards.size());
  }
  // The mean selection reward over these training samples (every one scored).
  double selection_reward(const std::vector<std::size_t>& samples) const {
    double sum = 0;
    for (const std::size_t sample : samples) sum += selection.at(sample);
    return samples.empty() ? 0.0 : sum / static_cast<double>(samples.size());
  }
  // True when the input of this sample is part of the candidate's variables (a few-shot example):
  // the candidate has seen its answer, so the sample cannot judge it.
  bool has_seen(const std::string& sample_input) const {
    return fingerprint.find(sample_input) != std::string::npos;
  }
};

// What one epoch has spent and scored so far.
struct FitLoop::EpochTally {
  RunRecorder recorder;  // every LM call of the epoch
  double reward_sum = 0;
  std::size_t reward_count = 0;
  std::size_t failures_shown = 0;

  double mean_reward() const { return reward_sum / static_cast<double>(reward_count); }
};

namespace {

using Job = std::pair<std::size_t, std::size_t>;  // (candidate, sample)

// Runs the jobs concurrently on samples of `data` and hands each result to `record`.
template <class Scored, class Candidates, class Record>
ProgramUsage score_candidates(const Program::State& s, Candidates& candidates,
                              const std::vector<Job>& jobs, const Dataset& data,
                              RunRecorder& recorder, Record record) {
  const ProgramUsage before = recorder.usage();
  std::vector<std::future<std::optional<Json>>> running;
  for (const auto& [candidate, sample] : jobs) {
    running.push_back(std::async(std::launch::async, [&, candidate = candidate, sample = sample] {
      const CallContext context{.training = false,
                                .sample = sample,
                                .overrides = &candidates[candidate].values,
                                .recorder = &recorder};
      return s.run(data.x[sample], context);
    }));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto [candidate, sample] = jobs[i];
    Scored scored{.prediction = running[i].get()};
    scored.reward = (*s.reward)(data.y[sample], scored.prediction);
    record(candidates[candidate], sample, std::move(scored));
  }
  return recorder.usage() - before;
}

}  // namespace

FitLoop::FitLoop(const Program::State& state, std::vector<std::shared_ptr<Variable>> trainables,
                 Dataset train, Dataset validation, FitOptions& options, std::ostream& out)
    : state_(state),
      trainables_(std::move(trainables)),
      train_(std::move(train)),
      validation_(std::move(validation)),
      options_(options),
      out_(out),
      rng_(options.seed),
      selection_order_(train_.size()) {
  std::iota(selection_order_.begin(), selection_order_.end(), 0);
  std::shuffle(selection_order_.begin(), selection_order_.end(), rng_);
  for (const auto& x : train_.x) train_inputs_.push_back(x.dump());
  state_.optimizer->reset();
  Candidate initial;
  for (const auto& variable : trainables_) initial.values[variable->path()] = variable->value();
  initial.fingerprint = fingerprint_of(initial.values);
  fingerprints_.insert(initial.fingerprint);
  candidates_.push_back(std::move(initial));
}

FitLoop::~FitLoop() = default;

History FitLoop::run() {
  History history;
  for (std::int64_t epoch = options_.initial_epoch; epoch < options_.epochs; ++epoch) {
    run_epoch(epoch, history);
    if (options_.race != nullptr && options_.race->stop_reason) break;  // lost: no further epoch
  }
  apply_best();
  return history;
}

void FitLoop::run_epoch(std::int64_t epoch, History& history) {
  const FitOptions& o = options_;
  for (const auto& callback : o.callbacks)
    if (callback.on_epoch_begin) callback.on_epoch_begin(epoch);
  if (o.verbose > 0) out_ << "Epoch " << epoch + 1 << "/" << o.epochs << "\n";
  for (auto& metric : state_.metrics) metric->reset();
  EpochTally tally;
  std::vector<std::size_t> order(train_.size());
  std::iota(order.begin(), order.end(), 0);
  if (o.shuffle) std::shuffle(order.begin(), order.end(), rng_);
  const std::size_t steps = (train_.size() + o.batch_size - 1) / o.batch_size;
  ProgressBar bar(out_, steps, o.verbose > 0);
  for (std::size_t step = 0; step < steps; ++step) {
    train_on_batch(step, order, tally);
    if (const auto challenger = propose_challenger()) compare_with_incumbent(*challenger, tally);
    const auto failures = tally.recorder.failure_messages();
    for (; tally.failures_shown < failures.size(); ++tally.failures_shown)
      if (o.verbose > 0)
        out_ << "\nwarning: a prediction failed: " << failures[tally.failures_shown] << "\n";
    const tuners::Metrics logs = {{"reward", tally.mean_reward()}};
    bar.update(step + 1, logs);
    for (const auto& callback : o.callbacks)
      if (callback.on_batch_end) callback.on_batch_end(step, logs);
  }
  const ProgramUsage validation_usage = validate_best(tally);
  const tuners::Metrics logs = epoch_logs(tally, validation_usage);
  state_.add_usage(tally.recorder.usage());
  history.append(epoch, logs);
  bar.finish(logs);
  for (const auto& callback : o.callbacks)
    if (callback.on_epoch_end) callback.on_epoch_end(epoch, logs);
}

// The incumbent predicts the batch: its rewards count for training, as its selection rewards on
// those samples, and as material for the optimizer.
void FitLoop::train_on_batch(std::size_t step, const std::vector<std::size_t>& order,
                             EpochTally& tally) {
  const std::size_t batch_size = options_.batch_size;
  std::vector<Json> xs;
  std::vector<Json> ys;
  const std::size_t end = std::min(train_.size(), (step + 1) * batch_size);
  for (std::size_t i = step * batch_size; i < end; ++i) {
    xs.push_back(train_.x[order[i]]);
    ys.push_back(train_.y[order[i]]);
  }
  const auto predictions = state_.run_batch(xs, true, nullptr, tally.recorder);
  std::vector<double> rewards(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    rewards[i] = (*state_.reward)(ys[i], predictions[i]);
    tally.reward_sum += rewards[i];
    ++tally.reward_count;
    for (auto& metric : state_.metrics) metric->update(ys[i], predictions[i]);
    candidates_[best_].selection[order[step * batch_size + i]] = rewards[i];
  }
  for (auto& p : tally.recorder.take_predictions()) {
    pool_[p.variable_path].push_back({.inputs = std::move(p.inputs),
                                      .outputs = std::move(p.outputs),
                                      .reward = rewards.at(p.sample)});
  }
}

// A new candidate of the optimizer, different from every one seen in this fit.
std::optional<std::size_t> FitLoop::propose_challenger() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto proposal = state_.optimizer->propose(candidates_[best_].values, pool_);
    if (!proposal) return std::nullopt;
    Candidate candidate{.values = candidates_[best_].values};
    for (auto& [path, value] : *proposal) candidate.values[path] = std::move(value);
    candidate.fingerprint = fingerprint_of(candidate.values);
    if (!fingerprints_.insert(candidate.fingerprint).second) continue;
    candidates_.push_back(std::move(candidate));
    return candidates_.size() - 1;
  }
  return std::nullopt;
}

// The challenger and the incumbent are compared on the same training samples (the incumbent is
// scored on those it lacks), none of them a few-shot example of either, so that a candidate
// replaces the incumbent only on evidence. Samples the incumbent was already scored on come first
// (its training predictions count), in the seeded order from the cursor, so that a comparison
// costs few calls. A tie goes to the challenger: it is no evidence against a candidate the
// optimizer proposed to improve on the incumbent, and at temperature 0, where a few samples
// mostly tie, keeping the incumbent left many programs with no examples at all.
void FitLoop::compare_with_incumbent(std::size_t challenger, EpochTally& tally) {
  std::vector<std::size_t> eligible;
  for (std::size_t looked = 0; looked < selection_order_.size(); ++looked) {
    const std::size_t sample =
        selection_order_[(selection_cursor_ + looked) % selection_order_.size()];
    if (!candidates_[challenger].has_seen(train_inputs_[sample]) &&
        !candidates_[best_].has_seen(train_inputs_[sample]))
      eligible.push_back(sample);
  }
  std::stable_partition(eligible.begin(), eligible.end(), [&](std::size_t sample) {
    return candidates_[best_].selection.contains(sample);
  });
  const std::size_t minibatch = std::max<std::size_t>(1, options_.minibatch_size);
  selection_cursor_ = (selection_cursor_ + minibatch) % selection_order_.size();
  const std::vector<std::size_t> samples(
      eligible.begin(),
      eligible.begin() + static_cast<std::ptrdiff_t>(std::min(minibatch, eligible.size())));
  std::vector<Job> jobs;
  for (const std::size_t sample : samples) {
    jobs.emplace_back(challenger, sample);
    if (!candidates_[best_].selection.contains(sample)) jobs.emplace_back(best_, sample);
  }
  score_candidates<Scored>(state_, candidates_, jobs, train_, tally.recorder,
                           [](Candidate& candidate, std::size_t sample, Scored scored) {
                             candidate.selection[sample] = scored.reward;
                           });
  if (!samples.empty() && candidates_[challenger].selection_reward(samples) >=
                              candidates_[best_].selection_reward(samples)) {
    best_ = challenger;
    apply_best();
  }
}

// One validation pass of the best candidate: only the samples it has not been scored on. Racing
// scores them stage by stage in the race's order, and stops when the judge says so.
ProgramUsage FitLoop::validate_best(EpochTally& tally) {
  ValidationRace* race = options_.race;
  ProgramUsage usage;
  std::vector<std::size_t> order(validation_.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::size_t> stages = {validation_.size()};
  if (race != nullptr) {
    order = race->order;
    stages = race->stages;
  }
  Candidate& best = candidates_[best_];
  std::size_t scored_count = 0;
  std::vector<double> rewards_in_order;
  for (const std::size_t stage_end : stages) {
    std::vector<Job> jobs;
    for (std::size_t i = scored_count; i < stage_end; ++i)
      if (!best.validation.contains(order[i])) jobs.emplace_back(best_, order[i]);
    usage += score_candidates<Scored>(state_, candidates_, jobs, validation_, tally.recorder,
                                      [](Candidate& candidate, std::size_t sample, Scored scored) {
                                        candidate.validation[sample] = std::move(scored);
                                      });
    for (; scored_count < stage_end; ++scored_count)
      rewards_in_order.push_back(best.validation.at(order[scored_count]).reward);
    // (Once every sample is scored, nothing is left to save: the pass ends in full.)
    if (race == nullptr || !race->judge || stage_end >= validation_.size() ||
        best.validation.size() >= validation_.size())
      continue;
    if (auto reason = race->judge(rewards_in_order)) {
      race->stop_reason = std::move(reason);
      break;
    }
  }
  if (race != nullptr) race->rewards = rewards_in_order;
  return usage;
}

// Training metrics, with the usage of the whole epoch; then the validation ones.
tuners::Metrics FitLoop::epoch_logs(EpochTally& tally, const ProgramUsage& validation_usage) {
  const Candidate& best = candidates_[best_];
  tuners::Metrics logs = {{"reward", tally.mean_reward()}};
  for (auto& metric : state_.metrics) {
    metric->update_usage(tally.recorder.usage());
    logs[metric->name()] = metric->result();
  }
  logs["val_reward"] = best.mean_reward();
  tuners::set_uncertainty(logs, "val_reward",
                          tuners::sample_uncertainty(best.validation_rewards()));
  for (auto& metric : state_.metrics) {
    metric->reset();
    for (const auto& [sample, scored] : best.validation)
      metric->update(validation_.y[sample], scored.prediction);
    metric->update_usage(validation_usage);
    logs["val_" + metric->name()] = metric->result();
  }
  return logs;
}

void FitLoop::apply_best() {
  for (const auto& variable : trainables_)
    variable->assign(candidates_[best_].values.at(variable->path()));
}

}  // namespace synalinks::program::detail

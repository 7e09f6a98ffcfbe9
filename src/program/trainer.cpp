// compile, fit, evaluate and predict.
//
// fit spends LM calls on three things only: one prediction per training sample, the comparison
// of each new candidate of the optimizer with the incumbent on a minibatch of training samples,
// and, once per epoch, the validation of the best candidate. The samples that choose are kept
// apart from the samples that judge: candidates are compared on training samples only (never on
// one that is a few-shot example of either), so that val_reward, computed on validation samples
// that took no part in the choice, is an unbiased estimate of the returned program's reward. It
// comes with its standard error and sample count ("val_reward/stderr", "val_reward/count").
// In a tuner's search the validation samples may be raced (FitOptions::race): scored in stages,
// the pass ends as soon as a paired test finds the program worse than the search's incumbent.
// (Synalinks re-runs the full validation set after every batch and keeps the candidate that
// scored best on it, so its val_reward is the maximum of noisy scores.)
#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <iostream>
#include <numeric>
#include <random>
#include <set>

#include "program_state.hpp"
#include "progress_bar.hpp"
#include "synalinks/errors.hpp"

namespace synalinks {
namespace {

struct Scored {
  std::optional<Json> prediction;
  double reward = 0.0;
};

// A set of values of the trainable variables, with its rewards on the training samples it was
// compared on and what the validation samples made of it.
struct Candidate {
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

std::string fingerprint_of(const VariableValues& values) {
  Json object = Json::object();
  for (const auto& [path, value] : values) object[path] = value;
  return object.dump();
}

void check_data(const std::vector<Json>& x, const std::vector<Json>& y, const std::string& what) {
  if (x.empty()) throw InvalidArgument(what + ": x is empty; expected at least one sample");
  if (x.size() != y.size()) {
    throw InvalidArgument(what + ": x has " + std::to_string(x.size()) + " samples and y " +
                          std::to_string(y.size()) + "; expected as many of each");
  }
}

std::ostream& output_of(std::ostream* out) {
  return out != nullptr ? *out : std::cout;
}

}  // namespace

void Program::compile(CompileOptions options) {
  State& s = *state_;
  s.reward = std::move(options.reward);
  s.optimizer = options.optimizer ? options.optimizer->clone() : nullptr;
  s.metrics.clear();
  std::set<std::string> names = {"reward"};
  for (const auto& metric : options.metrics) {
    if (!metric) throw InvalidArgument("program '" + s.name + "': compile got an empty metric");
    if (!names.insert(metric->name()).second) {
      throw InvalidArgument("program '" + s.name + "': two metrics are named '" + metric->name() +
                            "' (or one is named 'reward'); expected distinct names");
    }
    s.metrics.push_back(metric->clone());
  }
  s.compiled = true;
}

bool Program::compiled() const {
  return state_->compiled;
}

namespace {

// Runs the jobs (candidate, sample of `data`) concurrently and hands each result to `record`.
ProgramUsage score_candidates(
    const Program::State& s, std::vector<Candidate>& candidates,
    const std::vector<std::pair<std::size_t, std::size_t>>& jobs, const Dataset& data,
    RunRecorder& recorder,
    const std::function<void(Candidate&, std::size_t sample, Scored scored)>& record) {
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

void record_validation(Candidate& candidate, std::size_t sample, Scored scored) {
  candidate.validation[sample] = std::move(scored);
}

void record_selection(Candidate& candidate, std::size_t sample, Scored scored) {
  candidate.selection[sample] = scored.reward;
}

}  // namespace

History Program::fit(FitOptions o) {
  State& s = *state_;
  const std::string what = "program '" + s.name + "' fit";
  if (!s.compiled || !s.reward) {
    throw InvalidArgument(what + ": call compile({.reward = ...}) first");
  }
  check_data(o.x, o.y, what);
  if (o.batch_size == 0) throw InvalidArgument(what + ": batch_size is 0; expected at least 1");
  if (o.initial_epoch < 0 || o.epochs <= o.initial_epoch) {
    throw InvalidArgument(what + ": epochs " + std::to_string(o.epochs) + " and initial_epoch " +
                          std::to_string(o.initial_epoch) +
                          "; expected 0 <= initial_epoch < epochs");
  }
  std::ostream& out = output_of(o.output);
  const auto trainables = trainable_variables();
  if (!s.optimizer || trainables.empty()) {
    out << "warning: " << what << " has "
        << (s.optimizer ? "no trainable variable" : "no optimizer (compile with .optimizer)")
        << "; nothing to train, no LM call made\n";
    return {};
  }

  Dataset train{.x = std::move(o.x), .y = std::move(o.y)};
  Dataset validation;
  if (o.validation_data) {
    validation = std::move(*o.validation_data);
    check_data(validation.x, validation.y, what + " validation_data");
  } else {
    if (!(o.validation_split > 0.0 && o.validation_split < 1.0)) {
      throw InvalidArgument(what + ": no validation_data and validation_split " +
                            std::to_string(o.validation_split) +
                            "; expected validation_data or a split in (0, 1)");
    }
    const auto n = train.size();
    const auto split_at =
        static_cast<std::size_t>(std::floor(static_cast<double>(n) * (1.0 - o.validation_split)));
    if (split_at == 0 || split_at == n) {
      throw InvalidArgument(what + ": validation_split " + std::to_string(o.validation_split) +
                            " of " + std::to_string(n) +
                            " samples leaves one side empty; expected both sides non-empty");
    }
    validation = train.slice(split_at, n);
    train = train.slice(0, split_at);
  }

  std::mt19937_64 rng(o.seed);
  // Candidates are compared on training samples, taken in one seeded order shared by every
  // comparison of the fit (so that comparisons reuse what the incumbent was scored on).
  std::vector<std::size_t> selection_order(train.size());
  std::iota(selection_order.begin(), selection_order.end(), 0);
  std::shuffle(selection_order.begin(), selection_order.end(), rng);
  std::vector<std::string> train_inputs;
  for (const auto& x : train.x) train_inputs.push_back(x.dump());
  std::size_t selection_cursor = 0;
  const std::size_t minibatch = std::max<std::size_t>(1, o.minibatch_size);

  s.optimizer->reset();
  std::vector<Candidate> candidates;
  {
    Candidate initial;
    for (const auto& variable : trainables) initial.values[variable->path()] = variable->value();
    initial.fingerprint = fingerprint_of(initial.values);
    candidates.push_back(std::move(initial));
  }
  std::size_t best = 0;
  std::set<std::string> fingerprints = {candidates.front().fingerprint};
  std::map<std::string, std::vector<ScoredPrediction>> pool;
  const auto apply_best = [&] {
    for (const auto& variable : trainables)
      variable->assign(candidates[best].values.at(variable->path()));
  };

  History history;
  const std::size_t steps = (train.size() + o.batch_size - 1) / o.batch_size;
  for (std::int64_t epoch = o.initial_epoch; epoch < o.epochs; ++epoch) {
    for (const auto& callback : o.callbacks)
      if (callback.on_epoch_begin) callback.on_epoch_begin(epoch);
    if (o.verbose > 0) out << "Epoch " << epoch + 1 << "/" << o.epochs << "\n";
    for (auto& metric : s.metrics) metric->reset();
    RunRecorder recorder;  // every LM call of the epoch
    std::size_t failures_shown = 0;
    std::vector<std::size_t> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    if (o.shuffle) std::shuffle(order.begin(), order.end(), rng);
    double reward_sum = 0;
    std::size_t reward_count = 0;
    detail::ProgressBar bar(out, steps, o.verbose > 0);

    for (std::size_t step = 0; step < steps; ++step) {
      std::vector<Json> xs;
      std::vector<Json> ys;
      const std::size_t end = std::min(train.size(), (step + 1) * o.batch_size);
      for (std::size_t i = step * o.batch_size; i < end; ++i) {
        xs.push_back(train.x[order[i]]);
        ys.push_back(train.y[order[i]]);
      }
      const auto predictions = s.run_batch(xs, true, nullptr, recorder);
      std::vector<double> rewards(xs.size());
      for (std::size_t i = 0; i < xs.size(); ++i) {
        rewards[i] = (*s.reward)(ys[i], predictions[i]);
        reward_sum += rewards[i];
        ++reward_count;
        for (auto& metric : s.metrics) metric->update(ys[i], predictions[i]);
        // The incumbent made this prediction: it is also its selection reward on the sample.
        candidates[best].selection[order[step * o.batch_size + i]] = rewards[i];
      }
      for (auto& p : recorder.take_predictions()) {
        pool[p.variable_path].push_back({.inputs = std::move(p.inputs),
                                         .outputs = std::move(p.outputs),
                                         .reward = rewards.at(p.sample)});
      }

      // A new candidate, different from every one seen in this fit.
      std::optional<std::size_t> challenger;
      for (int attempt = 0; attempt < 8 && !challenger; ++attempt) {
        auto proposal = s.optimizer->propose(candidates[best].values, pool);
        if (!proposal) break;
        Candidate candidate{.values = candidates[best].values};
        for (auto& [path, value] : *proposal) candidate.values[path] = std::move(value);
        candidate.fingerprint = fingerprint_of(candidate.values);
        if (!fingerprints.insert(candidate.fingerprint).second) continue;
        candidates.push_back(std::move(candidate));
        challenger = candidates.size() - 1;
      }
      if (challenger) {
        // The challenger and the incumbent are compared on the same training samples (the
        // incumbent is scored on those it lacks), none of them a few-shot example of either, so
        // that a candidate replaces the incumbent only on evidence.
        // Samples the incumbent was already scored on come first (its training predictions
        // count), in the seeded order from the cursor, so that a comparison costs few calls.
        std::vector<std::size_t> eligible;
        for (std::size_t looked = 0; looked < selection_order.size(); ++looked) {
          const std::size_t sample =
              selection_order[(selection_cursor + looked) % selection_order.size()];
          if (!candidates[*challenger].has_seen(train_inputs[sample]) &&
              !candidates[best].has_seen(train_inputs[sample]))
            eligible.push_back(sample);
        }
        std::stable_partition(eligible.begin(), eligible.end(), [&](std::size_t sample) {
          return candidates[best].selection.contains(sample);
        });
        selection_cursor = (selection_cursor + minibatch) % selection_order.size();
        std::vector<std::pair<std::size_t, std::size_t>> jobs;
        std::vector<std::size_t> samples(
            eligible.begin(),
            eligible.begin() + static_cast<std::ptrdiff_t>(std::min(minibatch, eligible.size())));
        for (const std::size_t sample : samples) {
          jobs.emplace_back(*challenger, sample);
          if (!candidates[best].selection.contains(sample)) jobs.emplace_back(best, sample);
        }
        score_candidates(s, candidates, jobs, train, recorder, record_selection);
        if (!samples.empty() && candidates[*challenger].selection_reward(samples) >
                                    candidates[best].selection_reward(samples)) {
          best = *challenger;
          apply_best();
        }
      }
      const auto failures = recorder.failure_messages();
      for (; failures_shown < failures.size(); ++failures_shown)
        if (o.verbose > 0)
          out << "\nwarning: a prediction failed: " << failures[failures_shown] << "\n";
      const tuners::Metrics logs = {{"reward", reward_sum / static_cast<double>(reward_count)}};
      bar.update(step + 1, logs);
      for (const auto& callback : o.callbacks)
        if (callback.on_batch_end) callback.on_batch_end(step, logs);
    }

    // One validation pass of the best candidate: only the samples it has not been scored on.
    // Racing scores them stage by stage in the race's order, and stops when the judge says so.
    ProgramUsage validation_usage;
    std::vector<std::size_t> validation_order(validation.size());
    std::iota(validation_order.begin(), validation_order.end(), 0);
    std::vector<std::size_t> stages = {validation.size()};
    if (o.race != nullptr) {
      validation_order = o.race->order;
      stages = o.race->stages;
    }
    std::size_t scored_count = 0;
    std::vector<double> rewards_in_order;
    for (const std::size_t stage_end : stages) {
      std::vector<std::pair<std::size_t, std::size_t>> jobs;
      for (std::size_t i = scored_count; i < stage_end; ++i)
        if (!candidates[best].validation.contains(validation_order[i]))
          jobs.emplace_back(best, validation_order[i]);
      validation_usage +=
          score_candidates(s, candidates, jobs, validation, recorder, record_validation);
      for (; scored_count < stage_end; ++scored_count)
        rewards_in_order.push_back(
            candidates[best].validation.at(validation_order[scored_count]).reward);
      // (Once every sample is scored, nothing is left to save: the pass ends in full.)
      if (o.race == nullptr || !o.race->judge || stage_end >= validation.size() ||
          candidates[best].validation.size() >= validation.size())
        continue;
      if (auto reason = o.race->judge(rewards_in_order)) {
        o.race->stop_reason = std::move(reason);
        break;
      }
    }
    if (o.race != nullptr) o.race->rewards = rewards_in_order;
    // Training metrics, with the usage of the whole epoch; then the validation ones.
    tuners::Metrics logs = {{"reward", reward_sum / static_cast<double>(reward_count)}};
    for (auto& metric : s.metrics) {
      metric->update_usage(recorder.usage());
      logs[metric->name()] = metric->result();
    }
    logs["val_reward"] = candidates[best].mean_reward();
    tuners::set_uncertainty(logs, "val_reward",
                            tuners::sample_uncertainty(candidates[best].validation_rewards()));
    for (auto& metric : s.metrics) {
      metric->reset();
      for (const auto& [sample, scored] : candidates[best].validation)
        metric->update(validation.y[sample], scored.prediction);
      metric->update_usage(validation_usage);
      logs["val_" + metric->name()] = metric->result();
    }
    s.add_usage(recorder.usage());
    history.append(epoch, logs);
    bar.finish(logs);
    for (const auto& callback : o.callbacks)
      if (callback.on_epoch_end) callback.on_epoch_end(epoch, logs);
    if (o.race != nullptr && o.race->stop_reason) break;  // lost the race: no further epoch
  }
  apply_best();
  return history;
}

tuners::Metrics Program::evaluate(EvaluateOptions o) {
  State& s = *state_;
  const std::string what = "program '" + s.name + "' evaluate";
  if (!s.compiled || !s.reward)
    throw InvalidArgument(what + ": call compile({.reward = ...}) first");
  check_data(o.x, o.y, what);
  if (o.batch_size == 0) throw InvalidArgument(what + ": batch_size is 0; expected at least 1");
  for (auto& metric : s.metrics) metric->reset();
  RunRecorder recorder;
  const std::size_t steps = (o.x.size() + o.batch_size - 1) / o.batch_size;
  detail::ProgressBar bar(output_of(o.output), steps, o.verbose > 0);
  double reward_sum = 0;
  std::vector<double> rewards;
  tuners::Metrics logs;
  for (std::size_t step = 0; step < steps; ++step) {
    const auto begin = static_cast<std::ptrdiff_t>(step * o.batch_size);
    const auto end = static_cast<std::ptrdiff_t>(std::min(o.x.size(), (step + 1) * o.batch_size));
    const std::vector<Json> xs(o.x.begin() + begin, o.x.begin() + end);
    const auto predictions = s.run_batch(xs, false, nullptr, recorder);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const Json& truth = o.y[static_cast<std::size_t>(begin) + i];
      rewards.push_back((*s.reward)(truth, predictions[i]));
      reward_sum += rewards.back();
      for (auto& metric : s.metrics) metric->update(truth, predictions[i]);
    }
    logs["reward"] = reward_sum / static_cast<double>(end);
    bar.update(step + 1, logs);
  }
  tuners::set_uncertainty(logs, "reward", tuners::sample_uncertainty(rewards));
  if (o.sample_rewards != nullptr) *o.sample_rewards = rewards;
  for (auto& metric : s.metrics) {
    metric->update_usage(recorder.usage());
    logs[metric->name()] = metric->result();
  }
  s.add_usage(recorder.usage());
  bar.finish(logs);
  return logs;
}

std::vector<std::optional<Json>> Program::predict(PredictOptions o) const {
  const State& s = *state_;
  if (o.batch_size == 0) {
    throw InvalidArgument("program '" + s.name + "' predict: batch_size is 0; expected at least 1");
  }
  RunRecorder recorder;
  std::vector<std::optional<Json>> out;
  const std::size_t steps = (o.x.size() + o.batch_size - 1) / o.batch_size;
  detail::ProgressBar bar(output_of(o.output), steps, o.verbose > 0);
  for (std::size_t step = 0; step < steps; ++step) {
    const auto begin = static_cast<std::ptrdiff_t>(step * o.batch_size);
    const auto end = static_cast<std::ptrdiff_t>(std::min(o.x.size(), (step + 1) * o.batch_size));
    const std::vector<Json> xs(o.x.begin() + begin, o.x.begin() + end);
    for (auto& prediction : s.run_batch(xs, false, nullptr, recorder))
      out.push_back(std::move(prediction));
    bar.update(step + 1, {});
  }
  s.add_usage(recorder.usage());
  bar.finish({});
  return out;
}

}  // namespace synalinks

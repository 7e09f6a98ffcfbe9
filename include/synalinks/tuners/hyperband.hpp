// Hyperband: many configurations trained briefly, the best promoted to train longer.
//
// keras-tuner's algorithm and arithmetic (Li et al., 2018): brackets from the most aggressive
// (many trials, few epochs) to the least; in round r of bracket b, size(b, r) trials train up to
// epochs(b, r) epochs, and the best of round r - 1 are promoted. Each trial's values hold
// `tuner/epochs`, `tuner/initial_epoch`, `tuner/bracket`, `tuner/round` and, when promoted,
// `tuner/trial_id` (the parent). A promoted trial continues its parent: the tuner tells it where
// the parent's checkpoint is (TrialContext::parent_trial_dir) and which epochs to train.
//
// Differences from keras-tuner, on purpose: `tuner/bracket` is the bracket the trial belongs to
// (keras-tuner writes the newest open bracket's number), and trials recorded in the project but
// missing from the saved brackets (a crash between the two writes) are put back on resume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

struct HyperbandOptions {
  std::int64_t max_epochs = 100;          // epochs of the longest-trained trials
  std::int64_t factor = 3;                // reduction factor between rounds (>= 2)
  std::int64_t hyperband_iterations = 1;  // sweeps over all brackets; 0: no limit
};

class HyperbandOracle : public Oracle {
 public:
  HyperbandOracle(OracleOptions options, HyperbandOptions hyperband);

  const HyperbandOptions& hyperband_options() const { return hyperband_; }
  // The bracket arithmetic, exposed for tests and planning.
  std::int64_t num_brackets() const;
  std::int64_t size(std::int64_t bracket, std::int64_t round) const;
  std::int64_t epochs(std::int64_t bracket, std::int64_t round) const;

 protected:
  Proposal populate_space(const std::string& trial_id) override;
  Json extra_state() const override;
  void restore_extra_state(const Json& state) override;
  void on_resumed() override;
  void on_trial_replaced(const std::string& old_id, const std::string& new_id) override;
  std::string duplicate_key(const ValueMap& values) const override;

 private:
  struct Entry {
    std::optional<std::string> past_id;  // the promoted parent; none in round 0
    std::string id;
  };
  struct Bracket {
    std::int64_t bracket_num = 0;
    std::vector<std::vector<Entry>> rounds;
  };

  Bracket new_bracket(std::int64_t bracket_num) const;
  bool is_finished(const Bracket& bracket) const;
  Proposal random_trial(Bracket& bracket, const std::string& trial_id);
  std::optional<Proposal> promotion(Bracket& bracket, std::int64_t round,
                                    const std::string& trial_id);

  HyperbandOptions hyperband_;
  std::vector<Bracket> brackets_;
  std::int64_t current_bracket_ = 0;
  std::int64_t current_iteration_ = 0;
};

class Hyperband : public Tuner {
 public:
  template <class HyperModel>
  Hyperband(HyperModel&& hypermodel, TunerOptions options = {}, HyperbandOptions hyperband = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options, hyperband), options) {}
  explicit Hyperband(TunerOptions options, HyperbandOptions hyperband = {})
      : Tuner(make_oracle(options, hyperband), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options,
                                             const HyperbandOptions& hyperband);
};

}  // namespace synalinks::tuners

// The oracle state of a project folder (`oracle.json`), read as `synalinks-tune` reads a project
// of any tuner: the file through ProjectDirectory::read, the tuner from "oracle_class", the
// objective from "objective", then Oracle::restore. Whatever is accepted must be able to go on
// with the search.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/make_oracle.hpp"

namespace sl = synalinks;
namespace tn = synalinks::tuners;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto project = sl::fuzz::scratch_dir() / "project";
  static const bool made = std::filesystem::create_directories(project);
  (void)made;
  sl::fuzz::write_file(project / "oracle.json", data, size);
  try {
    auto snapshot = sl::storage::ProjectDirectory::read(project);
    if (!snapshot) std::abort();  // oracle.json is there
    const sl::Json& state = snapshot->oracle_state;
    // The CLI reads these two fields itself (and reports a missing one); the rest is restore's.
    std::string oracle_class = "RandomSearch";
    if (state.contains("oracle_class") && state["oracle_class"].is_string())
      oracle_class = state["oracle_class"].get<std::string>();
    tn::Objectives objective("loss");
    if (state.contains("objective")) objective = tn::Objectives::from_json(state["objective"]);
    auto oracle = tn::make_oracle(oracle_class, {.objective = objective, .max_trials = 2});
    oracle->restore(std::move(*snapshot), project.string());
    (void)oracle->get_space().to_json();
    const tn::Trial trial = oracle->create_trial("fuzz");
    if (trial.status == tn::TrialStatus::running) oracle->tell(trial.trial_id, 1.0);
  } catch (const sl::Error&) {
    // rejected with our exception: fine
  }
  return 0;
}

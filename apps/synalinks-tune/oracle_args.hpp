// How a project searches, from the command line: the search space, the objective and the tuner
// with its options (--space, --objective, --tuner, ...), turned into an oracle. search, ask and
// tell take these options; for an existing project they may be left out.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "project_args.hpp"
#include "synalinks/hp/hyperparameters.hpp"
#include "synalinks/storage/storage.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/cma_es.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tpe.hpp"

namespace synalinks::cli {

struct OracleArgs {
  std::string space_file;
  std::string objective;
  std::string direction;
  std::string tuner = "random";
  std::optional<std::int64_t> max_trials;
  std::optional<std::int64_t> seed;
  int max_retries = 0;
  int max_consecutive_failures = 3;
  tuners::HyperbandOptions hyperband;
  tuners::BayesianOptions bayesian;
  std::string acquisition = "portfolio";
  bool no_output_warping = false;
  bool no_trust_region = false;
  bool no_quadratic_trend = false;
  bool latin_hypercube = false;
  tuners::TPEOptions tpe;
  // --n-startup-trials sets both tpe's and cmaes's; each keeps its own default otherwise.
  tuners::CmaEsOptions cmaes;
  std::string restart_strategy = "none";
};

void add_oracle_options(CLI::App& command, OracleArgs& args);

// The search space of a --space file; an empty one without --space.
HyperParameters load_space(const std::string& file);

// The objective and oracle class: from the arguments, else from the saved project.
struct SearchSetup {
  std::string oracle_class;
  tuners::Objectives objective;
};

SearchSetup resolve_setup(const OracleArgs& args, const ProjectArgs& project, bool overwrite,
                          const std::shared_ptr<storage::Storage>& sql = nullptr);

// The oracle of the chosen class, with the command line's class-specific options.
std::unique_ptr<tuners::Oracle> build_oracle(const std::string& oracle_class,
                                             const OracleArgs& args, tuners::OracleOptions options);

tuners::OracleOptions oracle_options(const OracleArgs& args, const SearchSetup& setup);

// ask / tell open the project for a moment; they wait for each other rather than fail.
std::unique_ptr<tuners::Oracle> open_for_ask_tell(const OracleArgs& args,
                                                  const ProjectArgs& project);

}  // namespace synalinks::cli

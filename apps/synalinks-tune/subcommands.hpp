// What each subcommand of synalinks-tune does once its command line is parsed; main.cpp defines
// the options and calls these. Each returns the process's exit code (exit_codes.hpp) or throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "budget_args.hpp"
#include "oracle_args.hpp"
#include "project_args.hpp"

namespace synalinks::cli {

// How search stops trials: --pruner, --kill-grace, --trial-timeout.
struct PruningArgs {
  std::string pruner = "none";
  double kill_grace = 10;
  std::string trial_timeout;  // a duration: 90s, 15m, 2h; empty: none
};

// The command line as a shell would take it back, without --overwrite: what resumes a search.
std::string resume_command(int argc, char** argv);

int run_search(const OracleArgs& oracle_args, const ProjectArgs& project, bool overwrite,
               int parallel, bool quiet, const PruningArgs& pruning, const BudgetArgs& budget,
               const std::vector<std::string>& command, const std::string& resume);

int run_summary(const ProjectArgs& project, bool json, std::size_t num_trials);

// Writes the HTML report of a project; with a watch period, rewrites it until interrupted.
int run_report(const ProjectArgs& project, const std::string& output, double watch_seconds);

int run_ask(const OracleArgs& args, const ProjectArgs& project, std::string worker);

int run_tell(const OracleArgs& args, const ProjectArgs& project, const std::string& trial_id,
             const std::string& metrics_json, std::optional<double> value,
             std::optional<std::string> failure);

// tell --step: records intermediate metrics of a trial created by ask and, with a pruner, ends
// it as STOPPED when the pruner condemns it.
int run_tell_step(const OracleArgs& args, const ProjectArgs& project, const std::string& trial_id,
                  std::int64_t step, const std::string& metrics_json, std::optional<double> value,
                  const std::string& pruner_name);

}  // namespace synalinks::cli

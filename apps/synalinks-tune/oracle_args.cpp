// The oracle options of search, ask and tell, and the oracle they make of a project.
#include "oracle_args.hpp"

#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/make_oracle.hpp"

namespace synalinks::cli {

void add_oracle_options(CLI::App& command, OracleArgs& args) {
  command.add_option("--space", args.space_file,
                     "Search space, keras-tuner's config form: {\"space\": [{\"class_name\": ..., "
                     "\"config\": ...}], \"values\": {}} (or the list alone)");
  command.add_option("--objective", args.objective,
                     "Metric to optimize, as the command reports it");
  command.add_option("--direction", args.direction, "min or max (inferred for well-known names)")
      ->check(CLI::IsMember({"min", "max"}));
  command.add_option("--tuner", args.tuner, "random, grid, bayesian, tpe, cmaes or hyperband")
      ->capture_default_str();
  command.add_option("--max-trials", args.max_trials,
                     "Trials to run in all (random: 10 by default)");
  command.add_option("--seed", args.seed, "Seed of the search (drawn and printed when not given)");
  command.add_option("--max-retries", args.max_retries, "Retries of a failed trial")
      ->capture_default_str();
  command
      .add_option("--max-consecutive-failures", args.max_consecutive_failures,
                  "Failed trials in a row that stop the search (0: never)")
      ->capture_default_str();
  command
      .add_option("--max-epochs", args.hyperband.max_epochs,
                  "Hyperband: epochs of the longest-trained trials")
      ->capture_default_str();
  command
      .add_option("--factor", args.hyperband.factor, "Hyperband: reduction factor between rounds")
      ->capture_default_str();
  command
      .add_option("--hyperband-iterations", args.hyperband.hyperband_iterations,
                  "Hyperband: sweeps over all brackets (0: no limit)")
      ->capture_default_str();
  command.add_option("--num-initial-points", args.bayesian.num_initial_points,
                     "Bayesian: random trials before the model (default max(2, d + 1))");
  command.add_option("--alpha", args.bayesian.alpha, "Bayesian: noise added to the kernel")
      ->capture_default_str();
  command.add_option("--beta", args.bayesian.beta, "Bayesian: ucb's weight of the deviation")
      ->capture_default_str();
  command
      .add_option("--acquisition", args.acquisition,
                  "Bayesian: portfolio (expected improvement and ucb in turn), "
                  "expected_improvement or ucb")
      ->check(CLI::IsMember({"portfolio", "expected_improvement", "ucb"}))
      ->capture_default_str();
  command.add_flag("--no-output-warping", args.no_output_warping,
                   "Bayesian: model the scores as they are, without the power transform");
  command.add_flag("--no-trust-region", args.no_trust_region,
                   "Bayesian: search the whole space for every proposal, not a trust region");
  command.add_flag("--no-quadratic-trend", args.no_quadratic_trend,
                   "Bayesian: model exact scores around a constant, without the fitted bowl");
  command.add_flag("--latin-hypercube", args.latin_hypercube,
                   "Bayesian: spread the initial trials as a Latin hypercube, not at random");
  command
      .add_option("--boundary-prior", args.bayesian.boundary_prior,
                  "Bayesian, noisy scores: weight of the prior that the box's edges score worse "
                  "than its centre (1: one edge a quarter of a standard deviation worse; 0: flat)")
      ->capture_default_str();
  // One flag for the random start of TPE and CMA-ES; unset, each keeps its own default.
  command.add_option_function<int>(
      "--n-startup-trials",
      [&args](const int& trials) {
        args.tpe.n_startup_trials = trials;
        args.cmaes.n_startup_trials = trials;
      },
      "TPE, CMA-ES: random trials before the model (TPE: 10, CMA-ES: 1 by default)");
  command
      .add_option("--n-ei-candidates", args.tpe.n_ei_candidates,
                  "TPE: candidates drawn for each proposal")
      ->capture_default_str();
  command.add_flag("--multivariate", args.tpe.multivariate,
                   "TPE: one joint estimator over the parameters every trial has");
  command.add_flag("--group", args.tpe.group,
                   "TPE: with --multivariate, a joint estimator per conditional branch");
  command.add_flag("--constant-liar", args.tpe.constant_liar,
                   "TPE: running trials count as bad, so that parallel workers spread out");
  command.add_option("--population-size", args.cmaes.population_size,
                     "CMA-ES: candidates per generation (default 4 + floor(3 ln d))");
  command.add_option("--sigma0", args.cmaes.sigma0,
                     "CMA-ES: initial step size in the unit cube (default 1/6)");
  command
      .add_option("--restart-strategy", args.restart_strategy,
                  "CMA-ES: none, or ipop (restart with twice the population when a run stops)")
      ->check(CLI::IsMember({"none", "ipop"}))
      ->capture_default_str();
}

HyperParameters load_space(const std::string& file) {
  if (file.empty()) return {};
  Json json;
  try {
    json = storage::read_json_file(file);
  } catch (const ProjectError& error) {
    // A bad argument, not a broken project.
    throw InvalidArgument(std::string("--space: ") + error.what());
  }
  try {
    if (json.is_array())
      return HyperParameters::from_json(Json{{"space", json}, {"values", Json::object()}});
    return HyperParameters::from_json(json);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(file + ": " + error.what());
  } catch (const nlohmann::json::exception& error) {
    throw InvalidArgument(file + ": not a search space (" + error.what() +
                          "); expected {\"space\": [{\"class_name\": ..., \"config\": ...}]}");
  }
}

SearchSetup resolve_setup(const OracleArgs& args, const ProjectArgs& project, bool overwrite,
                          const std::shared_ptr<storage::Storage>& sql) {
  std::optional<Json> saved;
  if (!overwrite) {
    if (auto snapshot = read_saved(project, sql)) saved = snapshot->oracle_state;
  }
  SearchSetup setup;
  if (!args.objective.empty()) {
    if (args.direction.empty() && !tuners::infer_direction(args.objective))
      throw InvalidArgument("cannot infer whether metric '" + args.objective +
                            "' is to be minimized or maximized; pass --direction max or "
                            "--direction min");
    setup.objective = args.direction.empty()
                          ? tuners::Objectives(args.objective)
                          : tuners::Objectives(tuners::Objective(
                                args.objective, tuners::direction_from_string(args.direction)));
  } else if (saved && saved->contains("objective")) {
    setup.objective = tuners::Objectives::from_json((*saved)["objective"]);
  } else {
    throw InvalidArgument(
        "--objective is required for a new project; expected the name of a metric the command "
        "reports");
  }
  setup.oracle_class = tuners::oracle_class_for(args.tuner);
  return setup;
}

std::unique_ptr<tuners::Oracle> build_oracle(const std::string& oracle_class,
                                             const OracleArgs& args,
                                             tuners::OracleOptions options) {
  if (oracle_class == "Hyperband")
    return std::make_unique<tuners::HyperbandOracle>(std::move(options), args.hyperband);
  if (oracle_class == "BayesianOptimization") {
    tuners::BayesianOptions bayesian = args.bayesian;
    bayesian.acquisition = tuners::acquisition_from_string(args.acquisition);
    bayesian.output_warping = !args.no_output_warping;
    bayesian.trust_region = !args.no_trust_region;
    bayesian.quadratic_trend = !args.no_quadratic_trend;
    bayesian.latin_hypercube = args.latin_hypercube;
    return std::make_unique<tuners::BayesianOptimizationOracle>(std::move(options), bayesian);
  }
  if (oracle_class == "TPE") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<tuners::TPEOracle>(std::move(options), args.tpe);
  }
  if (oracle_class == "CmaEs") {
    if (!options.max_trials) options.max_trials = 10;
    tuners::CmaEsOptions cmaes = args.cmaes;
    cmaes.restart_strategy = tuners::cma_es_restart_from_string(args.restart_strategy);
    return std::make_unique<tuners::CmaEsOracle>(std::move(options), cmaes);
  }
  return tuners::make_oracle(oracle_class, std::move(options));
}

tuners::OracleOptions oracle_options(const OracleArgs& args, const SearchSetup& setup) {
  return {.objective = setup.objective,
          .max_trials = args.max_trials,
          .seed = args.seed,
          .hyperparameters = load_space(args.space_file),
          .max_retries_per_trial = args.max_retries,
          .max_consecutive_failed_trials = args.max_consecutive_failures};
}

std::unique_ptr<tuners::Oracle> open_for_ask_tell(const OracleArgs& args,
                                                  const ProjectArgs& project) {
  // ask / tell clients send no heartbeats: their trials are never failed for silence.
  const auto sql = open_sql_storage(project, /*heartbeats=*/false);
  const auto saved = read_saved(project, sql);
  if (!saved && args.space_file.empty())
    throw InvalidArgument(
        "--space is required for a new project; expected a search-space JSON file");
  SearchSetup setup = resolve_setup(args, project, false, sql);
  if (saved) setup.oracle_class = saved->oracle_state.value("oracle_class", setup.oracle_class);
  auto oracle = build_oracle(setup.oracle_class, args, oracle_options(args, setup));
  if (sql) {
    oracle->attach(sql);
    return oracle;
  }
  auto project_folder = std::make_shared<storage::ProjectDirectory>(
      storage::ProjectDirectoryOptions{.directory = project.directory,
                                       .project_name = project.project_name,
                                       .lock_timeout_seconds = 30});
  oracle->attach(std::move(project_folder), tuners::Oracle::ResumeMode::keep_running);
  return oracle;
}

}  // namespace synalinks::cli

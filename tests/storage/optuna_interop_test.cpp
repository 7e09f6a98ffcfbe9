// Optuna (Debian's python3-optuna, 3.1) reads the studies we write in its v3.0.0.d layout, and
// our tuners continue studies Optuna created. Fails, never skips, when python3-optuna is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <string>

#include "support/postgres.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/results.hpp"

namespace sl = synalinks;
using sl::tuners::Objective;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Runs a Python program with optuna imported and `url` / `study` defined; returns its last
// stdout line parsed as JSON.
sl::Json run_optuna(const std::filesystem::path& scratch, const std::string& url,
                    const std::string& program) {
  const std::string code =
      "import json, sys\n"
      "try:\n"
      "    import optuna\n"
      "except ImportError:\n"
      "    sys.exit('python3-optuna is missing: apt-get install python3-optuna "
      "(scripts/install-deps "
      "does)')\n"
      "optuna.logging.set_verbosity(optuna.logging.WARNING)\n"
      "url = '" +
      url + "'\n" + program;
  const auto result = sl::testing::run_process({kPython, "-c", code}, scratch);
  if (result.exit_code != 0)
    throw std::runtime_error("python3 failed (" + std::to_string(result.exit_code) +
                             "): " + result.err);
  const auto last = result.out.find_last_of('\n', result.out.size() - 2);
  return sl::Json::parse(result.out.substr(last == std::string::npos ? 0 : last + 1));
}

double model(sl::HyperParameters& hp) {
  const double x = hp.Float("x", -1, 1);
  const auto n = hp.Int("n", 1, 4);
  const bool b = hp.Boolean("b");
  const auto c = hp.Choice<std::string>("c", {"p", "q"});
  const double lr = hp.Float("lr", 1e-4, 1e-1, {.sampling = sl::Sampling::log});
  hp.Fixed("k", 3);
  return x * x + static_cast<double>(n) + (b ? 0.5 : 0) + (c == "q" ? 0.25 : 0) + lr;
}

// Our search on `url` (a new database), then what Optuna 3.1 reads of it.
void check_optuna_reads_our_study(const sl::testing::TempDir& temp, const std::string& url) {
  sl::tuners::RandomSearch tuner(
      model, {.objective = Objective("loss", sl::tuners::Direction::min),
              .max_trials = 6,
              .seed = 11,
              .directory = temp.path(),
              .verbose = 0,
              .storage = sl::storage::open_storage(
                  url, {.study_name = "ours", .schema = sl::storage::SchemaRevision::v3_0_0_d})});
  tuner.search();
  const auto best = tuner.oracle().get_best_trials(1).at(0);

  const sl::Json seen = run_optuna(temp.path(), url, R"(
study = optuna.load_study(study_name='ours', storage=url)
frame = study.trials_dataframe()
print(json.dumps({'trials': len(study.trials),
                  'complete': sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials),
                  'best_value': study.best_value, 'best_params': study.best_params,
                  'direction': study.direction.name, 'rows': len(frame),
                  'best_number': study.best_trial.number,
                  'intermediate': study.best_trial.intermediate_values.get(0)}))
)");
  EXPECT_EQ(seen["trials"], 6);
  EXPECT_EQ(seen["complete"], 6);
  EXPECT_EQ(seen["rows"], 6);
  EXPECT_EQ(seen["direction"], "MINIMIZE");
  EXPECT_DOUBLE_EQ(seen["best_value"].get<double>(), *best.score);
  EXPECT_EQ(seen["best_number"].get<int>() + 1, best.number);
  EXPECT_DOUBLE_EQ(seen["intermediate"].get<double>(), *best.score);
  const auto& values = best.hyperparameters.values();
  const sl::Json& params = seen["best_params"];
  EXPECT_DOUBLE_EQ(params["x"].get<double>(), std::get<double>(values.at("x")));
  EXPECT_EQ(params["n"].get<std::int64_t>(), std::get<std::int64_t>(values.at("n")));
  EXPECT_EQ(params["b"].get<bool>(), std::get<bool>(values.at("b")));
  EXPECT_EQ(params["c"].get<std::string>(), std::get<std::string>(values.at("c")));
  EXPECT_DOUBLE_EQ(params["lr"].get<double>(), std::get<double>(values.at("lr")));
  EXPECT_EQ(params["k"].get<std::int64_t>(), 3);
}

TEST(OptunaInterop, OptunaReadsAStudyWeWroteOnSqlite) {
  sl::testing::TempDir temp;
  check_optuna_reads_our_study(temp, "sqlite:///" + (temp.path() / "ours.db").string());
}

// A PostgreSQL database of its own on the test server, dropped at the end: Optuna 3.1 needs the
// v3.0.0.d layout, and a database keeps the layout it was created with.
class FreshPostgresDatabase {
 public:
  FreshPostgresDatabase(const sl::testing::TempDir& temp, const std::string& stem)
      : temp_(temp),
        base_(sl::testing::postgres_url()),
        name_(stem + "_" + std::to_string(::getpid())) {
    psql("DROP DATABASE IF EXISTS " + name_);
    psql("CREATE DATABASE " + name_);
  }
  ~FreshPostgresDatabase() { psql("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  FreshPostgresDatabase(const FreshPostgresDatabase&) = delete;
  FreshPostgresDatabase& operator=(const FreshPostgresDatabase&) = delete;

  // The server's URL with this database in place of the test database.
  std::string url() const {
    const auto slash = base_.rfind('/');
    const auto query = base_.find('?');
    return base_.substr(0, slash + 1) + name_ +
           (query == std::string::npos ? "" : base_.substr(query));
  }

 private:
  void psql(const std::string& sql) const {
    const auto result = sl::testing::run_process({"psql", base_, "-qtAc", sql}, temp_.path());
    EXPECT_EQ(result.exit_code, 0) << sql << ": " << result.err;
  }

  const sl::testing::TempDir& temp_;
  std::string base_;
  std::string name_;
};

TEST(OptunaInterop, OptunaReadsAStudyWeWroteOnPostgres) {
  sl::testing::TempDir temp;
  const FreshPostgresDatabase database(temp, "synalinks_optuna_reads");
  check_optuna_reads_our_study(temp, database.url());
}

// Optuna creates a study and runs 4 trials on `url`; our tuner resumes it to 8.
void check_we_continue_a_study_optuna_created(const sl::testing::TempDir& temp,
                                              const std::string& url) {
  run_optuna(temp.path(), url, R"(
study = optuna.create_study(study_name='theirs', storage=url, direction='minimize',
                            sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(lambda t: t.suggest_float('x', -1, 1) ** 2 + t.suggest_int('n', 1, 4), n_trials=4)
print(json.dumps({'best': study.best_value}))
)");
  int runs = 0;
  sl::tuners::RandomSearch tuner(
      [&](sl::HyperParameters& hp) {
        ++runs;
        return std::pow(hp.Float("x", -1, 1), 2) + static_cast<double>(hp.Int("n", 1, 4));
      },
      {.objective = Objective("loss", sl::tuners::Direction::min),
       .max_trials = 8,
       .seed = 5,
       .directory = temp.path(),
       .verbose = 0,
       .storage = sl::storage::open_storage(url, {.study_name = "theirs"})});
  EXPECT_TRUE(tuner.oracle().resumed());
  tuner.search();
  EXPECT_EQ(runs, 4);
  const sl::Json seen = run_optuna(temp.path(), url, R"(
study = optuna.load_study(study_name='theirs', storage=url)
print(json.dumps({'complete': sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials),
                  'numbers': [t.number for t in study.trials], 'best': study.best_value}))
)");
  EXPECT_EQ(seen["complete"], 8);
  EXPECT_EQ(seen["numbers"], sl::Json({0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_DOUBLE_EQ(seen["best"].get<double>(), *tuner.oracle().get_best_trials(1).at(0).score);
}

TEST(OptunaInterop, OurTunerContinuesAStudyOptunaCreatedOnSqlite) {
  sl::testing::TempDir temp;
  check_we_continue_a_study_optuna_created(temp,
                                           "sqlite:///" + (temp.path() / "theirs.db").string());
}

TEST(OptunaInterop, OurTunerContinuesAStudyOptunaCreatedOnPostgres) {
  sl::testing::TempDir temp;
  const FreshPostgresDatabase database(temp, "synalinks_optuna_theirs");
  check_we_continue_a_study_optuna_created(temp, database.url());
}

// Our trials report the loss with its uncertainty: Optuna reads it in the user attributes, and a
// trial Optuna adds with such attributes reaches our tuner with its uncertainty.
void check_the_uncertainty_goes_both_ways(const sl::testing::TempDir& temp,
                                          const std::string& url) {
  const auto noisy = [](sl::HyperParameters& hp) {
    const double x = hp.Float("x", 0, 1);
    return sl::tuners::Metrics{{"loss", x}, {"loss/stderr", 0.1}, {"loss/count", 24}};
  };
  const sl::tuners::TunerOptions options{
      .objective = Objective("loss", sl::tuners::Direction::min),
      .max_trials = 3,
      .seed = 2,
      .directory = temp.path(),
      .verbose = 0,
      .storage = sl::storage::open_storage(
          url, {.study_name = "noisy", .schema = sl::storage::SchemaRevision::v3_0_0_d})};
  {
    sl::tuners::RandomSearch tuner(noisy, options);
    tuner.search();
  }
  const sl::Json seen = run_optuna(temp.path(), url, R"(
study = optuna.load_study(study_name='noisy', storage=url)
ours = study.trials[0].user_attrs
trial = study.ask({'x': optuna.distributions.FloatDistribution(0, 1)})
trial.set_user_attr('loss/stderr', 0.02)
trial.set_user_attr('loss/count', 100)
study.tell(trial, 0.125)
print(json.dumps({'stderr': ours.get('loss/stderr'), 'count': ours.get('loss/count'),
                  'trials': len(study.trials)}))
)");
  EXPECT_EQ(seen["stderr"], 0.1);
  EXPECT_EQ(seen["count"], 24);
  EXPECT_EQ(seen["trials"], 4);

  auto resumed_options = options;
  resumed_options.max_trials = 4;
  resumed_options.storage = sl::storage::open_storage(url, {.study_name = "noisy"});
  sl::tuners::RandomSearch resumed(
      [](sl::HyperParameters&) -> double { throw std::logic_error("ran"); }, resumed_options);
  resumed.search();
  const auto trials = resumed.oracle().trials();
  ASSERT_EQ(trials.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(trials[i].score_uncertainty(options.objective),
              (sl::tuners::Uncertainty{.std_error = 0.1, .count = 24}));
  EXPECT_EQ(trials[3].score, 0.125);
  EXPECT_EQ(trials[3].score_uncertainty(options.objective),
            (sl::tuners::Uncertainty{.std_error = 0.02, .count = 100}));
  const sl::Json results = sl::tuners::results_to_json(resumed.oracle());
  EXPECT_EQ(results["trials"][3]["score_stderr"], 0.02);
  EXPECT_EQ(results["trials"][3]["score_count"], 100);
}

TEST(OptunaInterop, TheUncertaintyGoesBothWaysOnSqlite) {
  sl::testing::TempDir temp;
  check_the_uncertainty_goes_both_ways(temp, "sqlite:///" + (temp.path() / "noisy.db").string());
}

TEST(OptunaInterop, TheUncertaintyGoesBothWaysOnPostgres) {
  sl::testing::TempDir temp;
  const FreshPostgresDatabase database(temp, "synalinks_optuna_noisy");
  check_the_uncertainty_goes_both_ways(temp, database.url());
}

}  // namespace

// A pruned search on SQLite: Optuna reads the stopped trials as PRUNED, with the intermediate
// values they reported up to the step they were stopped at.
TEST(OptunaInterop, OptunaReadsPrunedTrialsWithTheirIntermediateValues) {
  sl::testing::TempDir temp;
  const std::string url = "sqlite:///" + (temp.path() / "pruned.db").string();
  sl::tuners::RandomSearch tuner(
      [](sl::HyperParameters& hp, sl::tuners::TrialContext& context) {
        const double x = hp.Float("x", 0, 1);
        sl::tuners::Metrics metrics;
        for (std::int64_t step = 0; step < 8 && !context.should_stop(); ++step) {
          metrics = {{"loss", x + 1.0 / static_cast<double>(step + 1)}};
          context.report(step, metrics);
        }
        return metrics;
      },
      {.objective = Objective("loss", sl::tuners::Direction::min),
       .max_trials = 10,
       .seed = 4,
       .directory = temp.path(),
       .verbose = 0,
       .storage = sl::storage::open_storage(
           url, {.study_name = "pruned", .schema = sl::storage::SchemaRevision::v3_0_0_d}),
       .pruner = std::make_shared<sl::tuners::MedianPruner>(
           sl::tuners::MedianPrunerOptions{.n_startup_trials = 2})});
  tuner.search();
  sl::Json expected = sl::Json::array();
  for (const auto& trial : tuner.oracle().trials()) {
    sl::Json steps = sl::Json::object();
    for (const auto& observation : trial.metrics.get("loss").observations())
      steps[std::to_string(observation.step)] = observation.mean();
    expected.push_back(
        {{"state", trial.status == sl::tuners::TrialStatus::stopped ? "PRUNED" : "COMPLETE"},
         {"intermediate", steps}});
  }
  const sl::Json seen = run_optuna(temp.path(), url, R"(
study = optuna.load_study(study_name='pruned', storage=url)
print(json.dumps([{'state': t.state.name,
                   'intermediate': {str(k): v for k, v in t.intermediate_values.items()}}
                  for t in study.trials]))
)");
  EXPECT_EQ(seen, expected);
  int pruned = 0;
  for (const auto& trial : seen) {
    if (trial["state"] != "PRUNED") continue;
    ++pruned;
    EXPECT_LT(trial["intermediate"].size(), 8u);
  }
  EXPECT_GT(pruned, 0) << "seed 4 prunes no trial; choose another seed";
}

// The HTML report: its data, its self-containment, and the page itself in a real headless
// browser (Debian's chromium), which must load it with no console error and no request and plot
// every scored trial.
#include "synalinks/report/html_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::report {
namespace {

using synalinks::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using tuners::Metrics;
using tuners::TrialStatus;
namespace fs = std::filesystem;

HyperParameters program_space() {
  HyperParameters space;
  space.Boolean("use_cot");
  {
    auto scope = space.conditional_scope("use_cot", {true});
    space.Float("temperature", 0.0, 1.0);
  }
  space.Float("learning_rate", 1e-4, 0.1, {.sampling = Sampling::log});
  space.Int("examples", 0, 8, {.step = 2});
  space.Choice<std::string>("model", {"small", "large"});
  space.Fixed("dataset", std::string("gsm8k"));
  return space;
}

// A search of `n` trials scored with an uncertainty; trial 2 fails (with a message that holds
// markup and "</script>") and trial 4 is stopped early.
std::unique_ptr<tuners::Oracle> single_objective_search(int n) {
  auto oracle = std::make_unique<tuners::RandomSearchOracle>(
      tuners::OracleOptions{.objective = tuners::Objective("val_reward", tuners::Direction::max),
                            .max_trials = n,
                            .seed = 3,
                            .hyperparameters = program_space(),
                            .max_consecutive_failed_trials = 0});
  for (int i = 0; i < n; ++i) {
    const tuners::Trial trial = oracle->create_trial("w");
    const ValueMap& values = trial.hyperparameters.values();
    const bool cot = std::get<bool>(values.at("use_cot"));
    const double reward =
        0.4 + (cot ? 0.4 * (1 - std::get<double>(values.at("temperature"))) : 0.0) + 0.01 * (i % 5);
    Metrics metrics{{"val_reward", reward}, {"lm_calls", 50.0}, {"cost", 0.002}};
    tuners::set_uncertainty(metrics, "val_reward", {.std_error = 0.08, .count = 24});
    if (i == 2) {
      oracle->end_trial(trial.trial_id, TrialStatus::invalid,
                        "Traceback </script><b>bold</b> & \"quoted\"");
    } else if (i == 4) {
      oracle->update_trial(trial.trial_id, metrics, 0);
      oracle->end_trial(trial.trial_id, TrialStatus::stopped, "stopped by racing at 8 questions");
    } else {
      oracle->tell(trial.trial_id, metrics);
    }
  }
  return oracle;
}

int scored_trials(const tuners::Oracle& oracle) {
  int count = 0;
  for (const auto& trial : oracle.trials())
    if (trial.score && std::isfinite(*trial.score)) ++count;
  return count;
}

TEST(ReportData, HoldsTheSpaceTheTrialsWithTheirTimesTheBestTrialAndTheImportance) {
  const auto oracle = single_objective_search(30);
  const Json data = report_data(*oracle, {.title = "demo", .source = "runs/demo"});
  EXPECT_EQ(data.at("title"), "demo");
  EXPECT_EQ(data.at("source"), "runs/demo");
  EXPECT_EQ(data.at("oracle_class"), "RandomSearch");
  EXPECT_EQ(data.at("max_trials"), 30);
  EXPECT_EQ(data.at("seed"), 3);
  ASSERT_EQ(data.at("space").size(), 6u);
  EXPECT_EQ(data.at("space")[1], Json({{"name", "temperature"},
                                       {"type", "float"},
                                       {"min", 0.0},
                                       {"max", 1.0},
                                       {"log", false},
                                       {"condition", "use_cot in [True]"}}));
  EXPECT_EQ(data.at("space")[2].at("log"), true);
  EXPECT_EQ(data.at("space")[4].at("values"), Json({"small", "large"}));
  EXPECT_EQ(data.at("space")[5].at("type"), "fixed");
  ASSERT_EQ(data.at("trials").size(), 30u);
  for (const Json& trial : data.at("trials"))
    EXPECT_FALSE(trial.at("end_time").get<std::string>().empty());
  EXPECT_EQ(data.at("trials")[2].at("status"), "FAILED");
  EXPECT_EQ(data.at("trials")[4].at("status"), "STOPPED");
  EXPECT_EQ(data.at("trials")[0].at("score_stderr"), 0.08);
  EXPECT_TRUE(data.at("best_trial").is_string());
  EXPECT_EQ(data.at("spending").at("lm_calls"), 50.0 * 29);
  const Json& importance = data.at("importance");
  EXPECT_EQ(importance.at("method"), "PED-ANOVA");
  EXPECT_EQ(importance.at("trials"), 29);
  ASSERT_FALSE(importance.at("values").empty());
  // The reward is decided by chain of thought and, with it, by the temperature.
  const std::set<std::string> first_two = {importance.at("values")[0].at("name"),
                                           importance.at("values")[1].at("name")};
  EXPECT_EQ(first_two, std::set<std::string>({"use_cot", "temperature"}));
}

TEST(HtmlReport, IsOneSelfContainedPageThatNoMessageCanBreak) {
  const auto oracle = single_objective_search(10);
  const std::string page = html_report(*oracle, {.title = "a <title> & more"});
  EXPECT_THAT(page, HasSubstr("<title>a &lt;title&gt; &amp; more</title>"));
  EXPECT_THAT(page, HasSubstr("Content-Security-Policy\" content=\"default-src 'none'"));
  // No resource from elsewhere: nothing is loaded by src or href.
  EXPECT_FALSE(std::regex_search(page, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  // One script element ends the data, whatever the messages hold.
  EXPECT_THAT(page, HasSubstr(R"(Traceback <\/script><b>bold<\/b>)"));
  const auto data_begin = page.find("id=\"report-data\">");
  ASSERT_NE(data_begin, std::string::npos);
  const auto data_end = page.find("</script>", data_begin);
  const std::string json = page.substr(data_begin + 17, data_end - data_begin - 17);
  EXPECT_EQ(Json::parse(json).at("trials").size(), 10u);
}

TEST(HtmlReport, TheTunerWritesItAndRewritesIt) {
  TempDir dir;
  tuners::RandomSearch tuner(
      [](HyperParameters& hp) { return hp.Float("x", 0.0, 1.0); },
      {.objective = "loss", .max_trials = 4, .seed = 1, .directory = dir.path(), .verbose = 0});
  tuner.report(dir.path() / "report.html");  // before any trial: a page all the same
  ASSERT_TRUE(fs::exists(dir.path() / "report.html"));
  tuner.search();
  tuner.report(dir.path() / "report.html");
  std::ifstream in(dir.path() / "report.html");
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(page, HasSubstr("synalinks search report: untitled_project"));
  EXPECT_THAT(page, HasSubstr("\"trial_id\":\"3\""));
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr(".tmp"))) << "no temporary left";
}

// --- in the browser ---

std::string chromium() {
  const char* path = std::getenv("SYNALINKS_CHROMIUM");
  return path != nullptr ? path : "/usr/bin/chromium";
}

struct Rendered {
  std::string dom;      // the DOM once the page's scripts ran
  std::string console;  // what the browser logged from the page
  int exit_code = -1;
};

std::size_t count(const std::string& dom, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<std::size_t>(
      std::distance(std::sregex_iterator(dom.begin(), dom.end(), re), std::sregex_iterator()));
}

// Loads `page` in headless Chromium and returns the DOM after its scripts ran, with the lines the
// page logged. A screenshot is kept beside the test binary as an artifact.
Rendered render(const std::string& page, const std::string& name) {
  TempDir dir;
  const fs::path file = dir.path() / (name + ".html");
  std::ofstream(file) << page;
  EXPECT_TRUE(fs::exists(chromium()))
      << chromium() << " not found; expected Debian's chromium (scripts/install-deps installs "
      << "it), or SYNALINKS_CHROMIUM naming a Chromium binary";
  const std::vector<std::string> common = {chromium(),
                                           "--headless=new",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--no-first-run",
                                           "--user-data-dir=" + (dir.path() / "profile").string(),
                                           "--enable-logging=stderr",
                                           "--v=0",
                                           "--virtual-time-budget=10000"};
  std::vector<std::string> dump = common;
  dump.insert(dump.end(), {"--dump-dom", "file://" + file.string()});
  const synalinks::testing::ProcessResult result =
      synalinks::testing::run_process(dump, dir.path());
  std::vector<std::string> shot = common;
  const fs::path artifact = fs::path(SYNALINKS_TEST_BINARY_DIR) / ("report_" + name + ".png");
  shot.insert(shot.end(), {"--window-size=1400,5000", "--screenshot=" + artifact.string(),
                           "file://" + file.string()});
  synalinks::testing::run_process(shot, dir.path());
  Rendered out{.dom = result.out, .console = {}, .exit_code = result.exit_code};
  // Chromium writes what the page logs as "...:CONSOLE(line)] message"; CSP refusals are logged
  // there too.
  std::istringstream lines(result.err);
  for (std::string line; std::getline(lines, line);)
    if (line.find("CONSOLE") != std::string::npos || line.find("Refused") != std::string::npos ||
        line.find("Uncaught") != std::string::npos)
      out.console += line + "\n";
  return out;
}

void expect_clean_load(const Rendered& rendered, const tuners::Oracle& oracle) {
  EXPECT_EQ(rendered.exit_code, 0);
  EXPECT_EQ(rendered.console, "") << "the page logged messages";
  EXPECT_THAT(rendered.dom, HasSubstr("data-ready=\"true\""));
  EXPECT_EQ(count(rendered.dom, R"(class="trial-point[" ])"),
            static_cast<std::size_t>(scored_trials(oracle)))
      << "one point of the history per scored trial";
  const auto body = rendered.dom.find("<tbody");
  ASSERT_NE(body, std::string::npos);
  const std::string rows = rendered.dom.substr(body, rendered.dom.find("</tbody>", body) - body);
  EXPECT_EQ(count(rows, "<tr[ >]"), oracle.trials().size()) << "one table row per trial";
}

TEST(HtmlReportInChromium, LoadsWithNoErrorNorRequestAndPlotsEveryScoredTrial) {
  const auto oracle = single_objective_search(40);
  const Rendered rendered = render(html_report(*oracle), "single_objective");
  expect_clean_load(rendered, *oracle);
  EXPECT_EQ(count(rendered.dom, R"(class="trial-line[" ])"),
            static_cast<std::size_t>(scored_trials(*oracle)))
      << "one line of the parallel coordinates per scored trial";
  EXPECT_EQ(count(rendered.dom, R"(class="importance-bar[" ])"), 5u);
  EXPECT_THAT(rendered.dom, HasSubstr("Traceback &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"))
      << "a message is shown as text";
}

TEST(HtmlReportInChromium, AMultiObjectiveSearchShowsItsParetoFront) {
  tuners::RandomSearchOracle oracle(
      {.objective = tuners::Objectives{tuners::Objective("val_reward", tuners::Direction::max),
                                       tuners::Objective("cost", tuners::Direction::min)},
       .max_trials = 25,
       .seed = 4,
       .hyperparameters = program_space()});
  for (int i = 0; i < 25; ++i) {
    const tuners::Trial trial = oracle.create_trial("w");
    const double x = std::get<double>(trial.hyperparameters.values().at("learning_rate"));
    oracle.tell(trial.trial_id,
                Metrics{{"val_reward", std::log10(x) + 4}, {"cost", x + 0.01 * (i % 3)}});
  }
  const Rendered rendered = render(html_report(oracle), "pareto");
  expect_clean_load(rendered, oracle);
  EXPECT_EQ(count(rendered.dom, R"(class="pareto-point[" ])"), 25u);
  EXPECT_EQ(count(rendered.dom, R"(class="pareto-point front[" ])"),
            oracle.get_pareto_front().size());
}

TEST(HtmlReportInChromium, AHyperbandSearchShowsItsBracketsAndRounds) {
  HyperParameters space;
  space.Float("x", 0.0, 1.0);
  tuners::HyperbandOracle oracle({.objective = "loss", .seed = 2, .hyperparameters = space},
                                 {.max_epochs = 9, .factor = 3, .hyperband_iterations = 1});
  for (;;) {
    const tuners::Trial trial = oracle.create_trial("w");
    if (trial.status != TrialStatus::running) break;
    const auto& values = trial.hyperparameters.values();
    oracle.tell(trial.trial_id,
                std::get<double>(values.at("x")) /
                    static_cast<double>(std::get<std::int64_t>(values.at("tuner/epochs"))));
  }
  ASSERT_GT(oracle.trials().size(), 10u);
  const Rendered rendered = render(html_report(oracle), "hyperband");
  expect_clean_load(rendered, oracle);
  EXPECT_EQ(count(rendered.dom, R"(class="hyperband-point[" ])"), oracle.trials().size());
}

TEST(HtmlReportInChromium, TwoThousandTrialsArePlottedEveryOne) {
  const auto oracle = single_objective_search(2000);
  const Rendered rendered = render(html_report(*oracle), "two_thousand");
  expect_clean_load(rendered, *oracle);
}

}  // namespace
}  // namespace synalinks::report

// synalinks-tune summary and report: read-only views of a project's results, which work while a
// search writes to it.
#include <chrono>
#include <iostream>
#include <thread>

#include "exit_codes.hpp"
#include "subcommands.hpp"
#include "synalinks/report/html_report.hpp"
#include "synalinks/tuners/results.hpp"

namespace synalinks::cli {

int run_summary(const ProjectArgs& project, bool json, std::size_t num_trials) {
  auto oracle = read_project(project);
  if (json) {
    std::cout << tuners::results_to_json(*oracle).dump() << "\n";
    return kExitOk;
  }
  const std::string where = project_description(project);
  std::cout << "Results summary\nResults in " << where << "\nShowing " << num_trials
            << " best trials\n"
            << oracle->objective().describe() << "\n"
            << tuners::spending_summary_text(*oracle);
  std::cout << tuners::best_trials_text(*oracle, num_trials, /*with_metrics=*/true);
  return kExitOk;
}

// Each write of the report is atomic, so that a browser reloading the page never reads half of it.
int run_report(const ProjectArgs& project, const std::string& output, double watch_seconds) {
  const std::string where = project_description(project);
  const report::ReportOptions options{
      .title = "synalinks search report: " +
               (project.study.empty() ? project.project_name : project.study),
      .source = where};
  for (;;) {
    const auto oracle = read_project(project);
    report::write_html_report(*oracle, output, options);
    if (!(watch_seconds > 0)) {
      std::cout << "Wrote " << output << " (" << oracle->trials().size() << " trials)\n";
      return kExitOk;
    }
    std::cout << "Wrote " << output << " (" << oracle->trials().size() << " trials); again in "
              << watch_seconds << " s (Ctrl-C stops)\n"
              << std::flush;
    std::this_thread::sleep_for(std::chrono::duration<double>(watch_seconds));
  }
}

}  // namespace synalinks::cli

// A search as one self-contained HTML page: the overview, the optimization history with each
// score's uncertainty, parallel coordinates, slice plots, hyperparameter importance, the Pareto
// front, Hyperband's brackets and a sortable table of the trials. Scripts and styles are inline
// and the page's Content-Security-Policy forbids every network request, so it opens anywhere,
// offline, and can be mailed or archived with the project.
#pragma once

#include <filesystem>
#include <string>

#include "synalinks/json.hpp"
#include "synalinks/report/importance.hpp"
#include "synalinks/tuners/oracle.hpp"

namespace synalinks::report {

struct ReportOptions {
  std::string title;   // default: "synalinks search report"
  std::string source;  // where the trials were read (a folder, a redacted URL); shown as is
  ImportanceOptions importance;
};

// What the page shows, as JSON: results_to_json's fields (best_trial as its id), with the search
// space ({"name", "type", "min", "max", "log", "values", "condition"} per parameter), each trial's
// start and end times, the importance of each parameter, the title, source and generation time.
Json report_data(const tuners::Oracle& oracle, const ReportOptions& options = {});

// The page itself.
std::string html_report(const tuners::Oracle& oracle, const ReportOptions& options = {});

// Writes the page to `path` atomically (a reader never sees half a page, so a report rewritten
// while a search runs can be reloaded at any time); ProjectError when it cannot be written.
void write_html_report(const tuners::Oracle& oracle, const std::filesystem::path& path,
                       const ReportOptions& options = {});

}  // namespace synalinks::report

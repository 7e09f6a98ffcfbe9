#include "synalinks/report/html_report.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#include "report/report_assets.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/results.hpp"

namespace synalinks::report {
namespace {

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string condition_text(const HyperParameter& hp) {
  std::string out;
  for (const auto& condition : hp.conditions()) {
    std::string values;
    for (const auto& value : condition.parent_values)
      values += (values.empty() ? "" : ", ") + to_string(value);
    out += (out.empty() ? "" : " and ") + condition.parent_name + " in [" + values + "]";
  }
  return out;
}

Json parameter_json(const HyperParameter& hp) {
  Json out;
  out["name"] = hp.name();
  switch (hp.kind()) {
    case HpKind::boolean:
      out["type"] = "boolean";
      break;
    case HpKind::integer:
    case HpKind::floating:
      out["type"] = hp.kind() == HpKind::integer ? "int" : "float";
      out["min"] = hp.min_value();
      out["max"] = hp.max_value();
      out["log"] = hp.sampling() != Sampling::linear;
      break;
    case HpKind::choice:
    case HpKind::fixed: {
      out["type"] = hp.kind() == HpKind::choice ? "choice" : "fixed";
      Json values = Json::array();
      for (const auto& value : hp.choices()) values.push_back(to_json(value));
      out["values"] = std::move(values);
      break;
    }
  }
  const std::string condition = condition_text(hp);
  out["condition"] = condition.empty() ? Json(nullptr) : Json(condition);
  return out;
}

// The JSON of a <script type="application/json"> element: "</" would end the element early
// (a message holding "</script>"), and "<\/" means the same in JSON.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string html_escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Json report_data(const tuners::Oracle& oracle, const ReportOptions& options) {
  Json data = tuners::results_to_json(oracle);
  data["title"] = options.title.empty() ? "synalinks search report" : options.title;
  data["source"] = options.source;
  data["generated_at"] = utc_now();
  const auto max_trials = oracle.max_trials();
  data["max_trials"] = max_trials && *max_trials > 0 ? Json(*max_trials) : Json(nullptr);
  const Json& best = data["best_trial"];
  data["best_trial"] = best.is_object() ? best.at("trial_id") : Json(nullptr);

  const HyperParameters declared = oracle.get_space();
  Json space = Json::array();
  for (const auto& hp : declared.space()) space.push_back(parameter_json(hp));
  data["space"] = std::move(space);

  // Times are not part of results_to_json; the trials are in the same (creation) order.
  const auto& trials = oracle.trials();
  Json& listed = data["trials"];
  for (std::size_t i = 0; i < trials.size() && i < listed.size(); ++i) {
    listed[i]["start_time"] = trials[i].start_time;
    listed[i]["end_time"] = trials[i].end_time;
  }

  int scored = 0;
  for (const auto& trial : trials)
    if ((trial.status == tuners::TrialStatus::completed ||
         trial.status == tuners::TrialStatus::stopped) &&
        trial.score && std::isfinite(*trial.score))
      ++scored;
  data["importance"] = importance_to_json(
      ped_anova_importance(trials, declared, oracle.objective(), options.importance),
      options.importance, scored);
  return data;
}

std::string html_report(const tuners::Oracle& oracle, const ReportOptions& options) {
  const Json data = report_data(oracle, options);
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  // No request may leave the page: scripts and styles are inline, images data: URLs.
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src "
      "'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + html_escaped(data["title"].get<std::string>()) + "</title>\n";
  page += "<style>\n" + std::string(detail::kReportCss) + "</style></head>\n";
  page += "<body><div id=\"report\"></div>\n";
  page += "<script type=\"application/json\" id=\"report-data\">";
  // Invalid UTF-8 (a metric name, a message) is replaced rather than failing the report.
  page += script_safe(data.dump(-1, ' ', false, Json::error_handler_t::replace));
  page +=
      "</script>\n<script>\n" + std::string(detail::kReportScript) + "</script></body></html>\n";
  return page;
}

void write_html_report(const tuners::Oracle& oracle, const std::filesystem::path& path,
                       const ReportOptions& options) {
  storage::write_file_atomically(path, html_report(oracle, options), /*sync=*/false);
}

}  // namespace synalinks::report

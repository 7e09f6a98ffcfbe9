// Reading a study: the oracle state, our trial records and trials other programs (Optuna) wrote,
// and the running trials whose heartbeat stopped.
#include <algorithm>
#include <cmath>

#include "storage/optuna_mapping.hpp"
#include "storage/sql_storage_impl.hpp"

namespace synalinks::storage::detail {

void SqlStorage::read_view(bool everything, Changes& view) {
  const bool sqlite = connection_->dialect() == Dialect::sqlite;
  std::string watched;
  for (const long long row : watched_) watched += (watched.empty() ? "" : ",") + as_text(row);
  const std::string sql =
      std::string(
          "SELECT 0, NULL, NULL, NULL, NULL, NULL, value_json FROM study_system_attributes "
          "WHERE study_id = ? AND key = ? UNION ALL "
          "SELECT 1, t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete, "
          "a.value_json FROM trials t LEFT JOIN trial_system_attributes a ON a.trial_id = "
          "t.trial_id AND a.key = ? WHERE t.study_id = ? AND (t.trial_id > ? OR ") +
      (sqlite ? "t.trial_id IN (SELECT value FROM json_each(?))" : "t.trial_id = ANY(?::int[])") +
      ") ORDER BY 1, 3, 2";
  const std::vector<Field> params{as_text(study_id_),
                                  std::string(kOracleStateKey),
                                  std::string(kTrialRecordKey),
                                  as_text(study_id_),
                                  as_text(everything ? 0 : max_seen_row_),
                                  sqlite ? "[" + watched + "]" : "{" + watched + "}"};
  const auto rows = connection_->query(sql, params);
  bool has_state = false;
  for (const auto& row : rows) {
    if (row[0] && *row[0] == "0") {
      has_state = row[6].has_value();
      if (has_state && *row[6] != state_text_) view.oracle_state = parse_state(*row[6]);
    } else {
      view.trials.push_back(read_trial(row));
    }
  }
  if (!has_state && (everything || !view.trials.empty())) view.oracle_state = foreign_state();
}

Json SqlStorage::parse_state(const std::string& text) {
  try {
    Json state = Json::parse(text);
    remember_objectives(state);
    state_text_ = text;
    return state;
  } catch (const nlohmann::json::exception& error) {
    throw ProjectError("the oracle state of " + describe() + " is not valid JSON (" + error.what() +
                       ")");
  }
}

std::optional<Json> SqlStorage::foreign_state() {
  const auto directions = connection_->query(
      "SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective",
      {as_text(study_id_)});
  const auto trials =
      connection_->query("SELECT count(*) FROM trials WHERE study_id = ?", {as_text(study_id_)});
  const bool has_trials = !trials.empty() && trials[0][0] && *trials[0][0] != "0";
  if (directions.empty() && !has_trials) return std::nullopt;
  Json foreign = {{"foreign", "optuna"}, {"directions", Json::array()}};
  for (const auto& row : directions) foreign["directions"].push_back(row[0] ? *row[0] : "");
  return foreign;
}

void SqlStorage::remember_objectives(const Json& state) {
  if (!state.contains("objective")) return;
  try {
    objectives_ = tuners::Objectives::from_json(state.at("objective"));
  } catch (const std::exception&) {
    objectives_.reset();
  }
}

tuners::Trial SqlStorage::read_trial(const detail::Row& row) {
  const long long id = as_integer(row[1], "trials.trial_id");
  const long long number = as_integer(row[2], "trials.number");
  const std::string state = row[3] ? *row[3] : "FAIL";
  tuners::Trial trial;
  if (row[6]) {
    try {
      trial = tuners::Trial::from_json(Json::parse(*row[6]));
    } catch (const std::exception& error) {
      throw ProjectError("trial " + std::to_string(number) + " of " + describe() +
                         " has an invalid record: " + error.what());
    }
    // A tool that fails stale trials (Optuna's heartbeat) may have ended it meanwhile.
    if (trial.status == tuners::TrialStatus::running && state != "RUNNING" && state != "WAITING") {
      trial.status = detail::status_from_optuna(state);
      trial.message = "ended as " + state + " by another program";
      trial.tuner_id.clear();
    }
  } else {
    trial = foreign_trial(id, number, state, row[4], row[5]);
  }
  if (auto written = written_.find(id);
      written != written_.end() && (!row[6] || *row[6] != written->second.record))
    written_.erase(written);
  max_seen_row_ = std::max(max_seen_row_, id);
  rows_[trial.trial_id] = id;
  if (tuners::is_finished(trial.status) && trial.status != tuners::TrialStatus::invalid)
    watched_.erase(id);
  else
    watched_.insert(id);
  return trial;
}

tuners::Trial SqlStorage::foreign_trial(long long id, long long number, const std::string& state,
                                        const Field& start, const Field& complete) {
  tuners::Trial trial;
  trial.trial_id = zero_padded(number, 2);
  trial.number = number + 1;
  trial.status = detail::status_from_optuna(state);
  if (state == "RUNNING") trial.tuner_id = "optuna";
  trial.start_time = iso_datetime(start);
  trial.end_time = iso_datetime(complete);
  const std::string row = as_text(id);
  for (const auto& param : connection_->query(
           "SELECT param_name, param_value, distribution_json FROM trial_params WHERE "
           "trial_id = ? ORDER BY param_id",
           {row})) {
    if (!param[0] || !param[1] || !param[2]) continue;
    try {
      HyperParameter hp = detail::hyperparameter_from_optuna(*param[0], Json::parse(*param[2]));
      const Value value = detail::value_from_optuna(hp, std::stod(*param[1]));
      trial.hyperparameters.declare(hp);
      trial.hyperparameters.set_value(*param[0], value);
    } catch (const std::exception& error) {
      throw ProjectError("trial " + std::to_string(number) + " of " + describe() +
                         " has a parameter we cannot read: " + error.what());
    }
  }
  // The uncertainty of a value, reported as we write it: user attributes "<objective>/stderr"
  // and "<objective>/count", the objective named by our study's state or Optuna's
  // study:metric_names.
  tuners::Metrics reported;
  const auto names = objective_names();
  if (!names.empty()) {
    for (const auto& attribute : connection_->query(
             "SELECT key, value_json FROM trial_user_attributes WHERE trial_id = ?", {row})) {
      if (!attribute[0] || !attribute[1] || !tuners::is_uncertainty_key(*attribute[0])) continue;
      try {
        const Json parsed = Json::parse(*attribute[1]);
        if (parsed.is_number() && !parsed.is_boolean())
          reported[*attribute[0]] = parsed.get<double>();
      } catch (const nlohmann::json::exception&) {
        // Not ours to judge: another program's attribute that is not a number.
      }
    }
  }
  for (const auto& value : connection_->query(
           "SELECT objective, value, value_type FROM trial_values WHERE trial_id = ? "
           "ORDER BY objective",
           {row})) {
    double number_value = std::nan("");
    const std::string type = value[2] ? *value[2] : "FINITE";
    if (type == "INF_POS")
      number_value = INFINITY;
    else if (type == "INF_NEG")
      number_value = -INFINITY;
    else if (value[1])
      number_value = std::stod(*value[1]);
    const std::string index = value[0] ? *value[0] : "0";
    const std::string name = kForeignObjectivePrefix + index;
    std::optional<tuners::Uncertainty> uncertainty;
    if (const auto objective = static_cast<std::size_t>(std::stoul(index));
        objective < names.size())
      uncertainty = tuners::uncertainty_of(reported, names[objective]);
    if (uncertainty && (!std::isfinite(uncertainty->count) || uncertainty->count < 0))
      uncertainty->count = 0;
    trial.metrics.update(name, number_value, 0, tuners::Direction::min, uncertainty);
    if (value[0] && *value[0] == "0" && trial.status == tuners::TrialStatus::completed) {
      trial.score = number_value;
      trial.best_step = 0;
    }
  }
  if (trial.status == tuners::TrialStatus::completed) trial.run_times = 1;
  return trial;
}

std::vector<std::string> SqlStorage::objective_names() {
  std::vector<std::string> names;
  if (objectives_) {
    for (const auto& objective : objectives_->list()) names.push_back(objective.name());
    return names;
  }
  const auto rows = connection_->query(
      "SELECT value_json FROM study_system_attributes WHERE study_id = ? AND key = ?",
      {as_text(study_id_), std::string(kMetricNamesKey)});
  if (rows.empty() || !rows[0][0]) return names;
  try {
    for (const auto& name : Json::parse(*rows[0][0]))
      names.push_back(name.is_string() ? name.get<std::string>() : std::string());
  } catch (const nlohmann::json::exception&) {
    names.clear();  // unreadable: the values are read without their uncertainty
  }
  return names;
}

std::vector<std::int64_t> SqlStorage::stale_trials(bool now) {
  const auto clock = std::chrono::steady_clock::now();
  if (!now &&
      clock - last_stale_check_ < std::chrono::duration<double>(options_.grace_period_seconds / 4))
    return {};
  last_stale_check_ = clock;
  const auto rows = connection_->query(
      "SELECT t.number FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
      "WHERE t.study_id = ? AND t.state = 'RUNNING' AND h.heartbeat < " +
          connection_->now_sql(-options_.grace_period_seconds) + " ORDER BY t.number",
      {as_text(study_id_)});
  std::vector<std::int64_t> numbers;
  for (const auto& row : rows) numbers.push_back(as_integer(row[0], "trials.number") + 1);
  return numbers;
}

}  // namespace synalinks::storage::detail

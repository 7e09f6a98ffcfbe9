// Writing a study in Optuna's tables: each trial's row, parameters, values, intermediate values
// and attributes (only the parts that changed), and the oracle state with the directions.
#include <fmt/format.h>

#include <cmath>

#include "storage/optuna_mapping.hpp"
#include "storage/sql_storage_impl.hpp"

namespace synalinks::storage::detail {

long long SqlStorage::trial_row(const tuners::Trial& trial) {
  if (auto it = rows_.find(trial.trial_id); it != rows_.end()) return it->second;
  const std::string number = as_text(trial.number - 1);
  // Inside a transaction this worker has read every trial of the study: one it does not know
  // is new.
  std::vector<detail::Row> rows;
  if (!in_transaction_)
    rows = connection_->query("SELECT trial_id FROM trials WHERE study_id = ? AND number = ?",
                              {as_text(study_id_), number});
  if (rows.empty())
    rows = connection_->query(
        "INSERT INTO trials (number, study_id, state, datetime_start) VALUES (?, ?, ?, ?) "
        "RETURNING trial_id",
        {number, as_text(study_id_), std::string(detail::optuna_state(trial.status)),
         sql_datetime(trial.start_time)});
  const long long row = as_integer(rows.at(0).at(0), "trials.trial_id");
  rows_[trial.trial_id] = row;
  return row;
}

void SqlStorage::remember_written(long long row, const tuners::Trial& trial) {
  const bool running = trial.status == tuners::TrialStatus::running;
  std::lock_guard lock(heartbeat_mutex_);
  if (running && options_.heartbeat_interval_seconds > 0)
    beating_.insert(row);
  else
    beating_.erase(row);
}

std::vector<std::pair<std::string, Json>> SqlStorage::user_metric_attributes(
    const tuners::Trial& trial) {
  const auto number = [](double value) { return std::isfinite(value) ? Json(value) : Json(); };
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& [name, history] : trial.metrics.all()) {
    if (history.empty()) continue;
    const auto& last = history.observations().back();
    out.emplace_back(name, number(last.mean()));
    if (const auto uncertainty = last.uncertainty()) {
      out.emplace_back(tuners::stderr_key(name), number(uncertainty->std_error));
      if (uncertainty->count > 0)
        out.emplace_back(tuners::count_key(name), number(uncertainty->count));
    }
  }
  return out;
}

std::string SqlStorage::trial_script(long long row, const tuners::Trial& trial) {
  const std::string r = as_text(row);
  const bool completed = trial.status == tuners::TrialStatus::completed;
  std::string sql = fmt::format(
      "UPDATE trials SET state = '{}', datetime_start = {}, datetime_complete = {} WHERE "
      "trial_id = {};",
      detail::optuna_state(trial.status), quote(sql_datetime(trial.start_time)),
      tuners::is_finished(trial.status) ? quote(sql_datetime(trial.end_time)) : "NULL", r);
  Written now;

  // Parameters: the active ones of the space, with their distribution.
  Json extra_values = Json::object();
  for (const auto& [name, value] : trial.hyperparameters.values()) {
    const HyperParameter* hp = trial.hyperparameters.find(name);
    if (!hp || !trial.hyperparameters.is_active(*hp)) {
      extra_values[name] = to_json(value);  // Hyperband's tuner/epochs, ...
      continue;
    }
    const double internal = detail::optuna_internal_value(*hp, value);
    if (std::isnan(internal)) continue;
    now.params += fmt::format("{}({}, {}, {}, {})", now.params.empty() ? "" : ", ", r, quote(name),
                              detail::number_literal(internal),
                              quote(detail::optuna_distribution(*hp).dump()));
  }

  // The objective's values, once completed.
  if (completed && trial.score) {
    std::vector<double> values;
    if (objectives_ && objectives_->is_multi()) {
      const auto final_metrics = trial.final_metrics(*objectives_);
      for (const auto& objective : objectives_->list()) {
        auto it = final_metrics.find(objective.name());
        values.push_back(it == final_metrics.end() ? std::nan("") : it->second);
      }
    } else {
      values.push_back(*trial.score);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double v = values[i];
      const char* type = std::isinf(v) ? (v > 0 ? "INF_POS" : "INF_NEG") : "FINITE";
      now.values += fmt::format("{}({}, {}, {}, '{}')", now.values.empty() ? "" : ", ", r, i,
                                detail::number_literal(v), type);
    }
  }

  // The objective per step as intermediate values (single objective).
  const std::string objective_name = objectives_ ? objectives_->name() : std::string();
  if (objectives_ && !objectives_->is_multi() && trial.metrics.contains(objective_name)) {
    for (const auto& observation : trial.metrics.get(objective_name).observations()) {
      const double v = observation.mean();
      const char* type = std::isnan(v)   ? "NAN"
                         : std::isinf(v) ? (v > 0 ? "INF_POS" : "INF_NEG")
                                         : "FINITE";
      now.intermediate += fmt::format("{}({}, {}, {}, '{}')", now.intermediate.empty() ? "" : ", ",
                                      r, observation.step, detail::number_literal(v), type);
    }
  }

  // Every metric's last value (with its uncertainty, when it has one), and values outside the
  // space, as user attributes. A key is written once (Optuna's key is unique per trial): the
  // first of these to claim it keeps it.
  std::map<std::string, Json> attributes;
  for (const auto& [name, value] : user_metric_attributes(trial)) attributes.emplace(name, value);
  for (const auto& [name, value] : extra_values.items()) attributes.emplace(name, value);
  if (!trial.message.empty()) attributes.emplace("message", trial.message);
  for (const auto& [key, value] : attributes)
    now.attributes += fmt::format("{}({}, {}, {})", now.attributes.empty() ? "" : ", ", r,
                                  quote(key), quote(value.dump()));

  const auto cached = written_.find(row);
  const Written* before = cached == written_.end() ? nullptr : &cached->second;
  auto replace = [&](const char* table, const char* columns, const std::string& rows,
                     const std::string* previous) {
    if (previous && *previous == rows) return;
    sql += fmt::format("DELETE FROM {} WHERE trial_id = {};", table, r);
    if (!rows.empty()) sql += fmt::format("INSERT INTO {} ({}) VALUES {};", table, columns, rows);
  };
  replace("trial_params", "trial_id, param_name, param_value, distribution_json", now.params,
          before ? &before->params : nullptr);
  replace("trial_values", "trial_id, objective, value, value_type", now.values,
          before ? &before->values : nullptr);
  replace("trial_intermediate_values",
          "trial_id, step, intermediate_value, intermediate_value_type", now.intermediate,
          before ? &before->intermediate : nullptr);
  replace("trial_user_attributes", "trial_id, key, value_json", now.attributes,
          before ? &before->attributes : nullptr);

  // Our own record, so that a resume rebuilds the trial exactly.
  now.record = trial.to_json().dump();
  const std::string record = quote(now.record);
  if (before)
    sql += fmt::format(
        "UPDATE trial_system_attributes SET value_json = {} WHERE trial_id = {} AND key = "
        "'{}';",
        record, r, kTrialRecordKey);
  else
    sql += fmt::format(
        "DELETE FROM trial_system_attributes WHERE trial_id = {0} AND key = '{1}';"
        "INSERT INTO trial_system_attributes (trial_id, key, value_json) VALUES ({0}, '{1}', "
        "{2});",
        r, kTrialRecordKey, record);

  // A running trial of a worker that sends heartbeats gets its first one now, in the same
  // transaction: a worker killed at once is still noticed.
  const bool running = trial.status == tuners::TrialStatus::running;
  if (running && options_.heartbeat_interval_seconds > 0 && !(before && before->heartbeat))
    sql += fmt::format(
        "INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ({0}, {1}) ON CONFLICT "
        "(trial_id) DO UPDATE SET heartbeat = {1};",
        r, connection_->now_sql());
  now.heartbeat = running && options_.heartbeat_interval_seconds > 0;
  written_[row] = std::move(now);
  return sql;
}

std::string SqlStorage::oracle_script(const Json& state) {
  remember_objectives(state);
  const std::string text = state.dump();
  state_text_ = text;  // our own write is not news at the next read
  const std::string s = as_text(study_id_);
  std::string sql = fmt::format(
      "DELETE FROM study_system_attributes WHERE study_id = {0} AND key = '{1}';"
      "INSERT INTO study_system_attributes (study_id, key, value_json) VALUES ({0}, '{1}', "
      "{2});",
      s, kOracleStateKey, quote(text));
  if (objectives_) {
    // Optuna's directions (one per objective) and, for Optuna 3.2+, the metric names.
    Json names = Json::array();
    std::string directions;
    int index = 0;
    for (const auto& objective : objectives_->list()) {
      names.push_back(objective.name());
      directions += fmt::format(
          "{}({}, '{}', {})", directions.empty() ? "" : ", ", s,
          objective.direction() == tuners::Direction::max ? "MAXIMIZE" : "MINIMIZE", index++);
    }
    const std::string key = directions + names.dump();
    if (key != written_directions_) {
      sql += fmt::format(
          "DELETE FROM study_directions WHERE study_id = {0};"
          "INSERT INTO study_directions (study_id, direction, objective) VALUES {1};"
          "DELETE FROM study_system_attributes WHERE study_id = {0} AND key = '{2}';"
          "INSERT INTO study_system_attributes (study_id, key, value_json) VALUES ({0}, '{2}', "
          "{3});",
          s, directions, kMetricNamesKey, quote(names.dump()));
      written_directions_ = key;
    }
  }
  return sql;
}

}  // namespace synalinks::storage::detail

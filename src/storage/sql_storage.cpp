#include "synalinks/storage/sql_storage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include "storage/optuna_mapping.hpp"
#include "storage/optuna_schema.hpp"
#include "storage/sql_connection.hpp"
#include "storage/storage_url.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/tuners/objective.hpp"

namespace synalinks::storage {

std::string_view to_string(SchemaRevision revision) {
  return revision == SchemaRevision::v3_0_0_d ? "v3.0.0.d" : "v3.2.0.a";
}

SchemaRevision schema_revision_from_string(std::string_view text) {
  if (text == "v3.0.0.d") return SchemaRevision::v3_0_0_d;
  if (text == "v3.2.0.a") return SchemaRevision::v3_2_0_a;
  throw InvalidArgument("storage schema '" + std::string(text) +
                        "' is not one we write; expected v3.2.0.a (current Optuna) or v3.0.0.d "
                        "(Optuna 3.0 and 3.1)");
}

namespace {

using detail::Connection;
using detail::Dialect;
using detail::Field;
using detail::quote;

// Our records in Optuna's attribute tables.
constexpr const char* kTrialRecordKey = "synalinks:trial";
constexpr const char* kOracleStateKey = "synalinks:oracle";
// Optuna (3.2 and later) names the objectives of a study here.
constexpr const char* kMetricNamesKey = "study:metric_names";
// Metric names of the objectives of trials another program (Optuna) wrote.
constexpr const char* kForeignObjectivePrefix = "__objective_";

std::string as_text(long long value) {
  return std::to_string(value);
}

long long as_integer(const Field& field, const char* what) {
  if (!field) throw ProjectError(std::string("the database holds NULL for ") + what);
  return std::stoll(*field);
}

// ISO-8601 (ours, "2026-01-02T03:04:05.678Z") and SQL ("2026-01-02 03:04:05.678000") datetimes.
Field sql_datetime(const std::string& iso) {
  if (iso.empty()) return std::nullopt;
  std::string out = iso;
  std::replace(out.begin(), out.end(), 'T', ' ');
  if (!out.empty() && out.back() == 'Z') out.pop_back();
  return out;
}

std::string iso_datetime(const Field& sql) {
  if (!sql) return {};
  std::string out = *sql;
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  if (out.size() > 23) out.resize(23);
  return out + "Z";
}

std::string zero_padded(long long number, std::size_t width) {
  std::string digits = std::to_string(number);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

class SqlStorage final : public Storage {
 public:
  SqlStorage(std::unique_ptr<Connection> connection, std::string description,
             SqlStorageOptions options)
      : connection_(std::move(connection)),
        description_(std::move(description)),
        options_(std::move(options)) {
    if (options_.study_name.empty())
      throw InvalidArgument(
          "study_name is empty; expected the name of the study to create or "
          "continue");
    if (options_.grace_period_seconds <= 0)
      options_.grace_period_seconds = 3 * std::max(options_.heartbeat_interval_seconds, 1.0);
    open_study();
    if (options_.heartbeat_interval_seconds > 0)
      heartbeat_thread_ = std::thread([this] { heartbeat_loop(); });
  }

  ~SqlStorage() override {
    {
      std::lock_guard lock(heartbeat_mutex_);
      stopping_ = true;
    }
    heartbeat_wakeup_.notify_all();
    if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  }

  std::string describe() const override {
    return description_ + " (study '" + options_.study_name + "')";
  }
  bool shared() const override { return true; }

  std::optional<Snapshot> load() override {
    std::lock_guard lock(mutex_);
    return with_reconnect([&]() -> std::optional<Snapshot> {
      connection_->begin();
      try {
        Changes view;
        read_view(/*everything=*/true, view);
        connection_->commit();
        // The next transaction of an oracle must not take this read for its own.
        reset_view();
        if (!view.oracle_state && view.trials.empty()) return std::nullopt;
        return Snapshot{view.oracle_state ? std::move(*view.oracle_state) : Json::object(),
                        std::move(view.trials)};
      } catch (...) {
        connection_->rollback();
        throw;
      }
    });
  }

  void transaction(const std::function<void(const Changes&)>& body, bool durable) override {
    std::lock_guard lock(mutex_);
    try {
      // A failure here too (the connection found cut at BEGIN) resets the view below: the caller
      // forgets what it knew and must be told everything again.
      connection_->ensure_connected(options_.max_disconnected_seconds);
      connection_->begin_exclusive(study_id_, durable && options_.sync);
      in_transaction_ = true;
      Changes changes;
      changes.everything = view_reset_;
      read_view(view_reset_, changes);
      changes.stale_trial_numbers = stale_trials(view_reset_);
      view_reset_ = false;
      body(changes);
      connection_->commit();
      in_transaction_ = false;
    } catch (...) {
      in_transaction_ = false;
      connection_->rollback();
      // What this worker saw may not match what was committed: the next transaction reports
      // everything again.
      reset_view();
      throw;
    }
  }

  void save_trial(const tuners::Trial& trial, bool durable) override {
    std::lock_guard lock(mutex_);
    if (trial.status == tuners::TrialStatus::idle) return;  // never stored
    auto write = [&] {
      const long long row = trial_row(trial);
      connection_->script(trial_script(row, trial));
      remember_written(row, trial);
    };
    write_in_transaction(write, durable && options_.sync);
  }

  void save_oracle(const Json& state) override {
    std::lock_guard lock(mutex_);
    auto write = [&] { connection_->script(oracle_script(state)); };
    write_in_transaction(write, /*durable=*/false);
  }

  // One transaction, under the study's lock: another worker sees the study whole or empty. The
  // study's row stays (its id is what the other workers hold); other studies are not touched.
  void erase() override {
    std::lock_guard lock(mutex_);
    const std::string s = as_text(study_id_);
    const std::string trials = "(SELECT trial_id FROM trials WHERE study_id = " + s + ")";
    std::string sql;
    for (const char* table : {"trial_heartbeats", "trial_intermediate_values", "trial_values",
                              "trial_params", "trial_system_attributes", "trial_user_attributes"})
      sql += fmt::format("DELETE FROM {} WHERE trial_id IN {};", table, trials);
    for (const char* table :
         {"trials", "study_directions", "study_system_attributes", "study_user_attributes"})
      sql += fmt::format("DELETE FROM {} WHERE study_id = {};", table, s);
    write_in_transaction([&] { connection_->script(sql); }, options_.sync);
    {
      std::lock_guard beats(heartbeat_mutex_);
      beating_.clear();
    }
    reset_view();
    rows_.clear();
    objectives_.reset();
    written_directions_.clear();
  }

 private:
  // Runs `write` inside the transaction in progress, or in a transaction of its own (reconnecting
  // when the connection was lost). Call with mutex_ held.
  template <class Write>
  void write_in_transaction(const Write& write, bool durable) {
    if (in_transaction_) {
      write();
      return;
    }
    with_reconnect([&] {
      connection_->begin_exclusive(study_id_, durable);
      try {
        write();
        connection_->commit();
      } catch (...) {
        connection_->rollback();
        throw;
      }
      return 0;
    });
  }

  template <class F>
  std::invoke_result_t<F&> with_reconnect(F&& f) {
    for (;;) {
      connection_->ensure_connected(options_.max_disconnected_seconds);
      try {
        return f();
      } catch (const ConnectionLost&) {
        reset_view();
      }
    }
  }

  void reset_view() {
    view_reset_ = true;
    max_seen_row_ = 0;
    watched_.clear();
    state_text_.clear();
    written_.clear();
  }

  // The schema and the study exist in most runs: found without the exclusive lock, so that
  // many workers starting together do not queue; created under it otherwise.
  void open_study() {
    std::lock_guard lock(mutex_);
    for (const bool exclusive : {false, true}) {
      if (exclusive)
        connection_->begin_exclusive(0);
      else
        connection_->begin();
      try {
        const bool exists = has_schema();
        if (!exists && exclusive)
          connection_->script(detail::optuna_schema(connection_->dialect(), options_.schema));
        if (exists) check_revision();
        std::vector<detail::Row> rows;
        if (exists || exclusive)
          rows = connection_->query("SELECT study_id FROM studies WHERE study_name = ?",
                                    {options_.study_name});
        if (rows.empty() && exclusive)
          rows =
              connection_->query("INSERT INTO studies (study_name) VALUES (?) RETURNING study_id",
                                 {options_.study_name});
        connection_->commit();
        if (!rows.empty()) {
          study_id_ = as_integer(rows.at(0).at(0), "studies.study_id");
          return;
        }
      } catch (...) {
        connection_->rollback();
        throw;
      }
    }
  }

  void check_revision() {
    const auto rows = connection_->query("SELECT version_num FROM alembic_version");
    const std::string revision = rows.empty() || !rows[0][0] ? "" : *rows[0][0];
    if (revision != "v3.0.0.d" && revision != "v3.2.0.a")
      throw ProjectError("the database " + description_ + " has Optuna's schema revision '" +
                         revision + "'; expected v3.0.0.d or v3.2.0.a");
  }

  bool has_schema() {
    const auto rows = connection_->query(
        connection_->dialect() == Dialect::sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
              "'alembic_version'"
            : "SELECT count(*) FROM (SELECT to_regclass('alembic_version') AS t) r WHERE "
              "r.t IS NOT NULL");
    return !rows.empty() && rows[0][0] && *rows[0][0] != "0";
  }

  // --- reading ---

  // One query for the oracle state (when it changed since this worker's last read) and the
  // trials created since, or seen unfinished (another worker may have ended them); everything
  // when `everything`.
  void read_view(bool everything, Changes& view) {
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

  Json parse_state(const std::string& text) {
    try {
      Json state = Json::parse(text);
      remember_objectives(state);
      state_text_ = text;
      return state;
    } catch (const nlohmann::json::exception& error) {
      throw ProjectError("the oracle state of " + describe() + " is not valid JSON (" +
                         error.what() + ")");
    }
  }

  // A study without our state: new (nullopt), or started by another program (Optuna), whose
  // directions the oracle checks against its objective.
  std::optional<Json> foreign_state() {
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

  void remember_objectives(const Json& state) {
    if (!state.contains("objective")) return;
    try {
      objectives_ = tuners::Objectives::from_json(state.at("objective"));
    } catch (const std::exception&) {
      objectives_.reset();
    }
  }

  // One row of read_view: kind, trials.trial_id, number, state, start, complete, our record.
  tuners::Trial read_trial(const detail::Row& row) {
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
      if (trial.status == tuners::TrialStatus::running && state != "RUNNING" &&
          state != "WAITING") {
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

  // A trial another program wrote: its parameters, values and intermediate values.
  tuners::Trial foreign_trial(long long id, long long number, const std::string& state,
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

  // The names of the study's objectives, in order: ours, else those Optuna (3.2 and later) keeps
  // in study:metric_names; empty when neither is known.
  std::vector<std::string> objective_names() {
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

  // Looked for at most every quarter of the grace period (a trial is failed that much later at
  // worst), so that most transactions skip the query.
  std::vector<std::int64_t> stale_trials(bool now) {
    const auto clock = std::chrono::steady_clock::now();
    if (!now && clock - last_stale_check_ <
                    std::chrono::duration<double>(options_.grace_period_seconds / 4))
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

  // --- writing ---

  long long trial_row(const tuners::Trial& trial) {
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

  void remember_written(long long row, const tuners::Trial& trial) {
    const bool running = trial.status == tuners::TrialStatus::running;
    std::lock_guard lock(heartbeat_mutex_);
    if (running && options_.heartbeat_interval_seconds > 0)
      beating_.insert(row);
    else
      beating_.erase(row);
  }

  // The metrics' user attributes: "<metric>" holds its last value and, when that value came with
  // its uncertainty, "<metric>/stderr" and "<metric>/count" hold it (count only when known).
  static std::vector<std::pair<std::string, Json>> user_metric_attributes(
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

  // What this worker last wrote for a trial row, so that unchanged parts are not rewritten.
  struct Written {
    std::string params, values, intermediate, attributes;
    std::string record;  // the record's JSON: when the database holds another, someone else wrote
    bool heartbeat = false;
  };

  std::string trial_script(long long row, const tuners::Trial& trial) {
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
      now.params += fmt::format("{}({}, {}, {}, {})", now.params.empty() ? "" : ", ", r,
                                quote(name), detail::number_literal(internal),
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
        now.intermediate +=
            fmt::format("{}({}, {}, {}, '{}')", now.intermediate.empty() ? "" : ", ", r,
                        observation.step, detail::number_literal(v), type);
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

  std::string oracle_script(const Json& state) {
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

  // --- heartbeats ---

  void heartbeat_loop() {
    const auto interval = std::chrono::duration<double>(options_.heartbeat_interval_seconds);
    std::unique_lock lock(heartbeat_mutex_);
    while (!stopping_) {
      heartbeat_wakeup_.wait_for(lock, interval, [this] { return stopping_; });
      if (stopping_) break;
      if (beating_.empty()) continue;
      std::string ids;
      for (const long long row : beating_) ids += (ids.empty() ? "" : ", ") + as_text(row);
      lock.unlock();
      try {
        std::lock_guard db(mutex_);
        connection_->ensure_connected(options_.max_disconnected_seconds);
        connection_->script("UPDATE trial_heartbeats SET heartbeat = " + connection_->now_sql() +
                            " WHERE trial_id IN (" + ids + ")");
      } catch (const std::exception&) {
        // A missed heartbeat is retried at the next tick; a lasting outage stops the worker at
        // its next transaction.
      }
      lock.lock();
    }
  }

  std::recursive_mutex mutex_;  // one statement at a time on the connection
  std::unique_ptr<Connection> connection_;
  std::string description_;
  SqlStorageOptions options_;
  long long study_id_ = 0;
  bool in_transaction_ = false;
  bool view_reset_ = true;
  long long max_seen_row_ = 0;
  std::set<long long> watched_;            // rows of unfinished trials seen
  std::map<std::string, long long> rows_;  // our trial id -> trials.trial_id
  std::optional<tuners::Objectives> objectives_;
  std::string written_directions_;
  std::string state_text_;                // the oracle state as last read or written
  std::map<long long, Written> written_;  // per trial row, what this worker last wrote
  std::chrono::steady_clock::time_point last_stale_check_;

  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_wakeup_;
  std::set<long long> beating_;  // rows of trials this process runs
  bool stopping_ = false;
  std::thread heartbeat_thread_;
};

}  // namespace

std::shared_ptr<Storage> open_storage(const std::string& url, const SqlStorageOptions& options) {
  const detail::StorageUrl parsed = detail::parse_storage_url(url);
  if (parsed.kind == detail::StorageUrl::Kind::sqlite)
    return std::make_shared<SqlStorage>(
        detail::open_sqlite(parsed.target, options.busy_timeout_seconds), url, options);
  const std::string& conninfo = parsed.target;
  const std::string shown = redact_secrets(conninfo);
  // The server may be restarting: retry with backoff for up to max_disconnected_seconds.
  const auto start = std::chrono::steady_clock::now();
  double delay = 0.05;
  for (;;) {
    try {
      return std::make_shared<SqlStorage>(detail::open_postgresql(conninfo), shown, options);
    } catch (const ServerUnreachable& error) {
      const double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited >= options.max_disconnected_seconds)
        throw ProjectError(fmt::format(
            "cannot reach PostgreSQL at {} for {:.1f} s (max_disconnected_seconds = {}); "
            "expected a server accepting connections there. Last error: {}",
            shown, waited, options.max_disconnected_seconds, error.what()));
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    delay = std::min(delay * 2, 2.0);
  }
}

}  // namespace synalinks::storage

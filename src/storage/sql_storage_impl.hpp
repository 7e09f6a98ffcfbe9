// The storage of a study in Optuna's SQL schema (SQLite or PostgreSQL), shared by the workers of
// a search. One class, in four files: the Storage operations and the study's opening
// (sql_storage.cpp), reading trials and state (sql_storage_read.cpp), writing them
// (sql_storage_write.cpp), and the heartbeats of running trials (sql_storage_heartbeat.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/sql_connection.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/storage/storage.hpp"
#include "synalinks/tuners/objective.hpp"

namespace synalinks::storage::detail {

// Our records in Optuna's attribute tables.
constexpr const char* kTrialRecordKey = "synalinks:trial";
constexpr const char* kOracleStateKey = "synalinks:oracle";
// Optuna (3.2 and later) names the objectives of a study here.
constexpr const char* kMetricNamesKey = "study:metric_names";
// Metric names of the objectives of trials another program (Optuna) wrote.
constexpr const char* kForeignObjectivePrefix = "__objective_";

inline std::string as_text(long long value) {
  return std::to_string(value);
}

inline long long as_integer(const Field& field, const char* what) {
  if (!field) throw ProjectError(std::string("the database holds NULL for ") + what);
  return std::stoll(*field);
}

// ISO-8601 (ours, "2026-01-02T03:04:05.678Z") and SQL ("2026-01-02 03:04:05.678000") datetimes.
inline Field sql_datetime(const std::string& iso) {
  if (iso.empty()) return std::nullopt;
  std::string out = iso;
  std::replace(out.begin(), out.end(), 'T', ' ');
  if (!out.empty() && out.back() == 'Z') out.pop_back();
  return out;
}

inline std::string iso_datetime(const Field& sql) {
  if (!sql) return {};
  std::string out = *sql;
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  if (out.size() > 23) out.resize(23);
  return out + "Z";
}

inline std::string zero_padded(long long number, std::size_t width) {
  std::string digits = std::to_string(number);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

class SqlStorage final : public Storage {
 public:
  SqlStorage(std::unique_ptr<Connection> connection, std::string description,
             SqlStorageOptions options);

  ~SqlStorage() override;

  std::string describe() const override;
  bool shared() const override { return true; }

  std::optional<Snapshot> load() override;

  void transaction(const std::function<void(const Changes&)>& body, bool durable) override;

  void save_trial(const tuners::Trial& trial, bool durable) override;

  void save_oracle(const Json& state) override;

  // One transaction, under the study's lock: another worker sees the study whole or empty. The
  // study's row stays (its id is what the other workers hold); other studies are not touched.
  void erase() override;

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

  void reset_view();

  // The schema and the study exist in most runs: found without the exclusive lock, so that
  // many workers starting together do not queue; created under it otherwise.
  void open_study();

  void check_revision();

  bool has_schema();

  // --- reading ---

  // One query for the oracle state (when it changed since this worker's last read) and the
  // trials created since, or seen unfinished (another worker may have ended them); everything
  // when `everything`.
  void read_view(bool everything, Changes& view);

  Json parse_state(const std::string& text);

  // A study without our state: new (nullopt), or started by another program (Optuna), whose
  // directions the oracle checks against its objective.
  std::optional<Json> foreign_state();

  void remember_objectives(const Json& state);

  // One row of read_view: kind, trials.trial_id, number, state, start, complete, our record.
  tuners::Trial read_trial(const detail::Row& row);

  // A trial another program wrote: its parameters, values and intermediate values.
  tuners::Trial foreign_trial(long long id, long long number, const std::string& state,
                              const Field& start, const Field& complete);

  // The names of the study's objectives, in order: ours, else those Optuna (3.2 and later) keeps
  // in study:metric_names; empty when neither is known.
  std::vector<std::string> objective_names();

  // Looked for at most every quarter of the grace period (a trial is failed that much later at
  // worst), so that most transactions skip the query.
  std::vector<std::int64_t> stale_trials(bool now);

  // --- writing ---

  long long trial_row(const tuners::Trial& trial);

  void remember_written(long long row, const tuners::Trial& trial);

  // The metrics' user attributes: "<metric>" holds its last value and, when that value came with
  // its uncertainty, "<metric>/stderr" and "<metric>/count" hold it (count only when known).
  static std::vector<std::pair<std::string, Json>> user_metric_attributes(
      const tuners::Trial& trial);

  // What this worker last wrote for a trial row, so that unchanged parts are not rewritten.
  struct Written {
    std::string params, values, intermediate, attributes;
    std::string record;  // the record's JSON: when the database holds another, someone else wrote
    bool heartbeat = false;
  };

  std::string trial_script(long long row, const tuners::Trial& trial);

  std::string oracle_script(const Json& state);

  // --- heartbeats ---

  void heartbeat_loop();

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

}  // namespace synalinks::storage::detail

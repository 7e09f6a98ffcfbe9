// The SQL storage's Storage operations (load, transactions, saves, erase), the opening of its
// study, and open_storage, which connects to the database a URL names.
#include "synalinks/storage/sql_storage.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "storage/optuna_schema.hpp"
#include "storage/sql_storage_impl.hpp"
#include "storage/storage_url.hpp"
#include "synalinks/storage/redact.hpp"

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

namespace detail {

SqlStorage::SqlStorage(std::unique_ptr<Connection> connection, std::string description,
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

SqlStorage::~SqlStorage() {
  {
    std::lock_guard lock(heartbeat_mutex_);
    stopping_ = true;
  }
  heartbeat_wakeup_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

std::string SqlStorage::describe() const {
  return description_ + " (study '" + options_.study_name + "')";
}

std::optional<Snapshot> SqlStorage::load() {
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

void SqlStorage::transaction(const std::function<void(const Changes&)>& body, bool durable) {
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

void SqlStorage::save_trial(const tuners::Trial& trial, bool durable) {
  std::lock_guard lock(mutex_);
  if (trial.status == tuners::TrialStatus::idle) return;  // never stored
  auto write = [&] {
    const long long row = trial_row(trial);
    connection_->script(trial_script(row, trial));
    remember_written(row, trial);
  };
  write_in_transaction(write, durable && options_.sync);
}

void SqlStorage::save_oracle(const Json& state) {
  std::lock_guard lock(mutex_);
  auto write = [&] { connection_->script(oracle_script(state)); };
  write_in_transaction(write, /*durable=*/false);
}

void SqlStorage::erase() {
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
  objectives_.reset();
  written_directions_.clear();
}

void SqlStorage::reset_view() {
  view_reset_ = true;
  max_seen_row_ = 0;
  watched_.clear();
  state_text_.clear();
  written_.clear();
  // A row inserted by a transaction that then failed was rolled back with it: the rows are
  // looked up again (or read with the whole view), never taken from a transaction that failed.
  rows_.clear();
}

void SqlStorage::open_study() {
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
        rows = connection_->query("INSERT INTO studies (study_name) VALUES (?) RETURNING study_id",
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

void SqlStorage::check_revision() {
  const auto rows = connection_->query("SELECT version_num FROM alembic_version");
  const std::string revision = rows.empty() || !rows[0][0] ? "" : *rows[0][0];
  if (revision != "v3.0.0.d" && revision != "v3.2.0.a")
    throw ProjectError("the database " + description_ + " has Optuna's schema revision '" +
                       revision + "'; expected v3.0.0.d or v3.2.0.a");
}

bool SqlStorage::has_schema() {
  const auto rows = connection_->query(
      connection_->dialect() == Dialect::sqlite
          ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
            "'alembic_version'"
          : "SELECT count(*) FROM (SELECT to_regclass('alembic_version') AS t) r WHERE "
            "r.t IS NOT NULL");
  return !rows.empty() && rows[0][0] && *rows[0][0] != "0";
}

}  // namespace detail

std::shared_ptr<Storage> open_storage(const std::string& url, const SqlStorageOptions& options) {
  const detail::StorageUrl parsed = detail::parse_storage_url(url);
  if (parsed.kind == detail::StorageUrl::Kind::sqlite)
    return std::make_shared<detail::SqlStorage>(
        detail::open_sqlite(parsed.target, options.busy_timeout_seconds), url, options);
  const std::string& conninfo = parsed.target;
  const std::string shown = redact_secrets(conninfo);
  // The server may be restarting: retry with backoff for up to max_disconnected_seconds.
  const auto start = std::chrono::steady_clock::now();
  double delay = 0.05;
  for (;;) {
    try {
      return std::make_shared<detail::SqlStorage>(detail::open_postgresql(conninfo), shown,
                                                  options);
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

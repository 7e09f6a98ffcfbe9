// The SQLite connection behind SqlConnection: one database file shared by the workers of a
// machine, with a busy timeout so that concurrent writers wait for each other.
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <thread>
#include <unordered_map>

#include "storage/sql_connection.hpp"
#include "synalinks/storage/storage.hpp"

namespace synalinks::storage::detail {
namespace {

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, double busy_timeout_seconds) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw ProjectError("cannot open the SQLite database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout_seconds * 1000));
    // WAL lets readers (a summary, optuna-dashboard) run beside the workers' writes; NORMAL
    // syncs at checkpoints, which keeps every commit atomic against a crash of the process.
    // Switching a new database to WAL while another worker does the same can answer "database
    // is locked" without calling the busy handler: retried for as long as the busy timeout.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(busy_timeout_seconds);
    while (sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) == SQLITE_BUSY &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  }
  ~SqliteConnection() override {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  std::vector<Row> query(const std::string& sql, const std::vector<Field>& params) override {
    sqlite3_stmt* statement = prepare(sql);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (params[i])
        sqlite3_bind_text(statement, index, params[i]->c_str(), static_cast<int>(params[i]->size()),
                          SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(statement, index);
    }
    std::vector<Row> rows;
    for (;;) {
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) {
        const std::string message = sqlite3_errmsg(db_);
        sqlite3_reset(statement);
        throw ProjectError("SQLite " + path_ + ": " + message + " in: " + sql);
      }
      Row row;
      const int columns = sqlite3_column_count(statement);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(statement, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
          row.emplace_back(
              std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(statement);
    return rows;
  }

  void script(const std::string& sql) override {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw ProjectError("SQLite " + path_ + ": " + message);
    }
  }

  // BEGIN IMMEDIATE takes the database's write lock at once: a second worker waits (busy
  // timeout) instead of reading a state that changes under it. NORMAL commits are atomic but
  // reach the disk at the next checkpoint; a durable one syncs the log (FULL), a level that can
  // only change outside a transaction.
  void begin_exclusive(long long /*lock_key*/, bool durable) override {
    if (durable) {
      script("PRAGMA synchronous=FULL");
      full_sync_ = true;
    }
    script("BEGIN IMMEDIATE");
  }
  void begin() override { script("BEGIN"); }
  void commit() override {
    script("COMMIT");
    normal_sync();
  }
  void rollback() noexcept override {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    normal_sync();
  }
  void ensure_connected(double /*limit_seconds*/) override {}

  // One machine, one clock: the client's time, as Optuna writes SQLite datetimes.
  std::string now_sql(double offset_seconds) const override {
    using namespace std::chrono;
    const auto now = system_clock::now() +
                     duration_cast<system_clock::duration>(duration<double>(offset_seconds));
    const auto micros = duration_cast<microseconds>(now.time_since_epoch()).count() % 1'000'000;
    const std::time_t seconds = system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return fmt::format("'{}.{:06d}'", text, micros);
  }

 private:
  sqlite3_stmt* prepare(const std::string& sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK)
      throw ProjectError("SQLite " + path_ + ": " + sqlite3_errmsg(db_) + " in: " + sql);
    statements_.emplace(sql, statement);
    return statement;
  }

  void normal_sync() noexcept {
    if (!full_sync_) return;
    sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    full_sync_ = false;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  bool full_sync_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, double busy_timeout_seconds) {
  return std::make_unique<SqliteConnection>(path, busy_timeout_seconds);
}

std::string quote(const Field& value) {
  if (!value) return "NULL";
  std::string out = "'";
  for (const char c : *value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string number_literal(double value) {
  if (!std::isfinite(value)) return "NULL";
  return fmt::format("{}", value);  // shortest text that reads back to the same double
}

}  // namespace synalinks::storage::detail

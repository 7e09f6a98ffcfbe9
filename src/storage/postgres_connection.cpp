// The PostgreSQL connection behind SqlConnection, through libpq: statements prepared once per
// connection, and unread writes pipelined with the transaction's next query or its COMMIT.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <chrono>
#include <thread>
#include <unordered_map>

#include "storage/sql_connection.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/storage/storage.hpp"

namespace synalinks::storage::detail {
namespace {

// `?` placeholders become PostgreSQL's `$1, $2, ...` (our statements hold no literal `?`).
std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  int index = 0;
  for (const char c : sql) {
    if (c == '?') {
      out.push_back('$');
      out.append(std::to_string(++index));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Whether a failed connection attempt was refused by a server that answered (wrong password, no
// such role or database, not allowed from this host): trying again changes nothing. libpq gives
// no error code before a session exists, so its message is the only evidence, read here alone.
bool refused_by_server(PGconn* connection, const std::string& message) {
  if (PQconnectionNeedsPassword(connection) != 0) return true;
  for (const char* sign : {"authentication failed", "does not exist", "no pg_hba.conf entry",
                           "permission denied", "password", "not permitted to log in"})
    if (message.find(sign) != std::string::npos) return true;
  return false;
}

// The error for a connection attempt that failed: ServerUnreachable (to be retried) unless the
// server refused us. Never shows the password.
[[noreturn]] void throw_connect_error(PGconn* connection, const std::string& shown) {
  const std::string message = redact_secrets(PQerrorMessage(connection));
  if (refused_by_server(connection, message)) {
    throw ProjectError("PostgreSQL at " + shown + " refused the connection: " + message +
                       "expected a user, password and database the server accepts (not retried: "
                       "the server answered)");
  }
  throw ServerUnreachable("cannot connect to PostgreSQL at " + shown + ": " + message);
}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(const std::string& conninfo) : shown_(redact_secrets(conninfo)) {
    connection_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      try {
        throw_connect_error(connection_, shown_);
      } catch (...) {
        PQfinish(connection_);
        connection_ = nullptr;
        throw;
      }
    }
    quiet();
  }
  ~PostgresConnection() override { PQfinish(connection_); }

  Dialect dialect() const override { return Dialect::postgresql; }

  std::vector<Row> query(const std::string& sql, const std::vector<Field>& params) override {
    send_pending();
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    // Prepared once per connection: planning the same statement again costs more than running
    // it.
    auto prepared = statements_.find(sql);
    if (prepared == statements_.end()) {
      const std::string name = "synalinks_" + std::to_string(statements_.size());
      PGresult* result = PQprepare(connection_, name.c_str(), numbered_placeholders(sql).c_str(),
                                   static_cast<int>(values.size()), nullptr);
      check(result, sql);
      PQclear(result);
      prepared = statements_.emplace(sql, name).first;
    }
    PGresult* result =
        PQexecPrepared(connection_, prepared->second.c_str(), static_cast<int>(values.size()),
                       values.data(), nullptr, nullptr, 0);
    check(result, sql);
    std::vector<Row> rows;
    const int count = PQntuples(result);
    const int columns = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
      Row row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c))
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(PQgetvalue(result, r, c),
                                       static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
      rows.push_back(std::move(row));
    }
    PQclear(result);
    return rows;
  }

  // Inside a transaction, statements whose results nobody reads wait to go with the next query
  // or the COMMIT: one round trip instead of one each (their errors surface there, and the
  // transaction is rolled back as if they had surfaced at once).
  void script(const std::string& sql) override {
    if (in_transaction_) {
      defer(sql);
      return;
    }
    execute(sql);
  }

  // An advisory lock on the study, held until the transaction ends: the workers of one study
  // take turns; READ COMMITTED then shows each the others' committed trials. BEGIN and the lock
  // go together just before the transaction's first query (so it reads under the lock), or with
  // its COMMIT when it has none.
  void begin_exclusive(long long lock_key, bool /*durable*/) override {
    begin();
    defer(fmt::format("SELECT pg_advisory_xact_lock(7031, {})", static_cast<int>(lock_key)));
  }
  void begin() override {
    pending_.clear();
    defer("BEGIN");
    in_transaction_ = true;
  }
  void commit() override {
    defer("COMMIT");
    in_transaction_ = false;
    send_pending();
  }
  void rollback() noexcept override {
    pending_.clear();
    in_transaction_ = false;
    if (PQstatus(connection_) != CONNECTION_OK || PQtransactionStatus(connection_) == PQTRANS_IDLE)
      return;
    PGresult* result = PQexec(connection_, "ROLLBACK");
    PQclear(result);
  }

  void ensure_connected(double limit_seconds) override {
    if (PQstatus(connection_) == CONNECTION_OK) return;
    const auto start = std::chrono::steady_clock::now();
    double delay = 0.05;
    for (;;) {
      PQreset(connection_);
      statements_.clear();  // a new session has none of them, nor a transaction
      pending_.clear();
      in_transaction_ = false;
      if (PQstatus(connection_) == CONNECTION_OK) {
        quiet();
        return;
      }
      // A server that answers and refuses (its password changed, the database dropped) is not
      // waited for.
      try {
        throw_connect_error(connection_, shown_);
      } catch (const ServerUnreachable&) {
        // the server may be restarting: wait, below
      }
      const double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited >= limit_seconds) {
        throw ProjectError(fmt::format(
            "cannot reach PostgreSQL at {} for {:.0f} s (max_disconnected_seconds = {:.0f}): {}; "
            "expected the database to come back within that limit",
            shown_, waited, limit_seconds, redact_secrets(PQerrorMessage(connection_))));
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
      delay = std::min(delay * 2, 2.0);
    }
  }

  std::string now_sql(double offset_seconds) const override {
    return fmt::format("(now() AT TIME ZONE 'UTC' + interval '{:.6f} seconds')", offset_seconds);
  }

 private:
  void quiet() {
    PGresult* result = PQexec(connection_, "SET client_min_messages = warning");
    PQclear(result);
  }

  void defer(const std::string& sql) {
    pending_ += sql;
    pending_ += ";\n";
  }

  void send_pending() {
    if (pending_.empty()) return;
    const std::string sql = std::move(pending_);
    pending_.clear();
    execute(sql);
  }

  // Several statements, one round trip: PQexec stops at the first that fails and reports it.
  void execute(const std::string& sql) {
    PGresult* result = PQexec(connection_, sql.c_str());
    check(result, sql);
    PQclear(result);
  }

  void check(PGresult* result, const std::string& sql) {
    const auto status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    const std::string message = redact_secrets(PQerrorMessage(connection_));
    PQclear(result);
    if (PQstatus(connection_) != CONNECTION_OK)
      throw ConnectionLost("the connection to PostgreSQL at " + shown_ + " broke: " + message);
    throw ProjectError("PostgreSQL: " + message + " in: " + sql.substr(0, 300));
  }

  std::string shown_;  // the connection string as messages may show it (no password)
  PGconn* connection_ = nullptr;
  std::unordered_map<std::string, std::string> statements_;  // SQL -> prepared statement name
  bool in_transaction_ = false;
  std::string pending_;  // statements of the transaction in progress not sent yet
};

}  // namespace

std::unique_ptr<Connection> open_postgresql(const std::string& conninfo) {
  return std::make_unique<PostgresConnection>(conninfo);
}

}  // namespace synalinks::storage::detail

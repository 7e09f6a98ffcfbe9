// A database connection reduced to what the SQL storage needs: statements with text parameters
// and text results, scripts of several statements, and an exclusive transaction per study.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace synalinks::storage::detail {

enum class Dialect { sqlite, postgresql };

using Field = std::optional<std::string>;  // nullopt: SQL NULL
using Row = std::vector<Field>;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // One statement with `?` placeholders bound to `params` (as text); returns every row.
  // ConnectionLost when the connection broke, ProjectError for other errors.
  virtual std::vector<Row> query(const std::string& sql, const std::vector<Field>& params = {}) = 0;
  // Several statements separated by ';', values already quoted (one round trip). Inside a
  // transaction a connection may hold them back until the next query or the commit, which then
  // reports their errors.
  virtual void script(const std::string& sql) = 0;
  // Starts a transaction that excludes every other writer of study `lock_key` until it ends.
  // `durable`: its commit survives a power loss once it returns (SQLite syncs its log for it;
  // a PostgreSQL server's own settings decide).
  virtual void begin_exclusive(long long lock_key, bool durable = false) = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Makes sure the connection works, reconnecting with backoff for up to `limit_seconds`;
  // ProjectError when it still does not.
  virtual void ensure_connected(double limit_seconds) = 0;
  // The current UTC time as the database stores datetimes, shifted by `offset_seconds`.
  virtual std::string now_sql(double offset_seconds = 0) const = 0;
};

std::unique_ptr<Connection> open_sqlite(const std::string& path, double busy_timeout_seconds);
std::unique_ptr<Connection> open_postgresql(const std::string& conninfo);

// A quoted SQL literal ('it''s') or NULL.
std::string quote(const Field& value);
// A number as a SQL literal that reads back exactly; NULL for NaN and infinities.
std::string number_literal(double value);

}  // namespace synalinks::storage::detail

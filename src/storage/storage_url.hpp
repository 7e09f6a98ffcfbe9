// How open_storage reads a storage URL: which database, and what to open it with.
#pragma once

#include <string>

namespace synalinks::storage::detail {

struct StorageUrl {
  enum class Kind { sqlite, postgresql };
  Kind kind = Kind::sqlite;
  // The SQLite file's path, or the libpq connection URI (postgresql://...).
  std::string target;
};

// `sqlite:///relative.db`, `sqlite:////absolute.db`, or `postgresql://...`, `postgres://...`,
// `postgresql+psycopg2://...` (SQLAlchemy's spelling, as Optuna's users write it). InvalidArgument
// for an unknown scheme or a sqlite URL naming no file; the message shows no password.
StorageUrl parse_storage_url(const std::string& url);

}  // namespace synalinks::storage::detail

// Optuna's relational schema (alembic revisions v3.0.0.d and v3.2.0.a), as DDL for SQLite and
// PostgreSQL, so that Optuna's own tools open the databases we create.
#pragma once

#include <string>

#include "storage/sql_connection.hpp"
#include "synalinks/storage/sql_storage.hpp"

namespace synalinks::storage::detail {

// The statements that create every table (and, on PostgreSQL, the enum types) of `revision`,
// and record the revision in alembic_version and version_info. Separated by ';'.
std::string optuna_schema(Dialect dialect, SchemaRevision revision);

}  // namespace synalinks::storage::detail

// SQL storage in Optuna's relational schema, on SQLite (one machine) or PostgreSQL (many).
//
//   auto storage = sl::storage::open_storage("postgresql://tuner@db:5432/searches",
//                                            {.study_name = "gsm8k"});
//   sl::tuners::RandomSearch tuner(build, {.objective = ..., .storage = storage});
//
// Every worker process opens the same URL and study name and runs its own oracle; the database
// serializes the creation of trials, so that no two workers get the same trial number or
// configuration. Optuna's tools (optuna.load_study, trials_dataframe, optuna-dashboard) read the
// study. docs/storage.md maps our concepts on Optuna's.
#pragma once

#include <memory>
#include <string>

#include "synalinks/storage/storage.hpp"

namespace synalinks::storage {

// Optuna's schema revisions we write. New databases get `v3_2_0_a` (what current Optuna expects)
// unless asked otherwise; Optuna 3.1 (Debian 12) needs `v3_0_0_d`. An existing database keeps the
// revision it has.
enum class SchemaRevision { v3_0_0_d, v3_2_0_a };
std::string_view to_string(SchemaRevision revision);  // "v3.0.0.d", "v3.2.0.a"
// InvalidArgument naming the revisions we know otherwise.
SchemaRevision schema_revision_from_string(std::string_view text);

struct SqlStorageOptions {
  std::string study_name = "untitled_study";
  SchemaRevision schema = SchemaRevision::v3_2_0_a;  // for a new database only
  // A running trial of this process refreshes its heartbeat this often (0: never; a client that
  // only asks for trials, such as `synalinks-tune ask`, sends none, and its trials are never
  // failed for silence).
  double heartbeat_interval_seconds = 10;
  // A RUNNING trial whose heartbeat is older than this is failed by the next worker that creates
  // a trial, and its configuration runs again once as a new trial. 0: 3 x the interval.
  double grace_period_seconds = 0;
  // How long a worker keeps trying to reach an unreachable database (with backoff) before it
  // stops with a ProjectError.
  double max_disconnected_seconds = 60;
  // SQLite: wait this long for another process's write to finish.
  double busy_timeout_seconds = 60;
  // SQLite: sync the log at the commits that end a trial, so that a finished trial survives a
  // power loss (other commits survive a crash of the process). PostgreSQL: the server decides.
  bool sync = true;
};

// Opens `url`: `sqlite:///relative.db`, `sqlite:////absolute.db`, or `postgresql://...` /
// `postgres://...` (any libpq connection URI; libpq's PG* environment variables fill what the
// URI leaves out). Creates the schema and the study when they do not exist. InvalidArgument for
// an unknown scheme; ProjectError when the database cannot be reached or holds another schema.
std::shared_ptr<Storage> open_storage(const std::string& url,
                                      const SqlStorageOptions& options = {});

}  // namespace synalinks::storage

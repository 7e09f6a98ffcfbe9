// Where a search keeps its trials and its oracle's state. The project folder is the default
// implementation; the SQL storages (SQLite, PostgreSQL) implement the same interface and are
// shared by several worker processes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/errors.hpp"
#include "synalinks/json.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::storage {

// What a storage holds for one search.
struct Snapshot {
  Json oracle_state;                  // as written by save_oracle
  std::vector<tuners::Trial> trials;  // in trial-id order
};

// What a shared storage reports at the start of a transaction: the state and the trials that
// other workers (or this one) wrote since this worker's previous transaction.
struct Changes {
  // The state when it changed since this worker's previous transaction (always when
  // `everything`); nullopt when unchanged, or for a new search.
  std::optional<Json> oracle_state;
  std::vector<tuners::Trial> trials;  // created or possibly changed since, by trial number
  // Display numbers (Trial::number) of RUNNING trials whose worker stopped sending heartbeats
  // for longer than the grace period.
  std::vector<std::int64_t> stale_trial_numbers;
  bool everything = false;  // `trials` holds every trial (first transaction, or after a reset)
};

// The database could not be reached, or the connection broke, during a transaction: nothing of
// it was committed. The caller may start again from a full view (the next transaction reports
// everything). A storage gives up with a plain ProjectError once the outage lasts too long.
class ConnectionLost : public ProjectError {
 public:
  using ProjectError::ProjectError;
};

// The database server could not be reached at all (down, restarting, unreachable): a storage
// tries again for up to its max_disconnected_seconds. A server that answers and refuses (a wrong
// password, a database or role that does not exist) is no such fault: a plain ProjectError, at
// once.
class ServerUnreachable : public ProjectError {
 public:
  using ProjectError::ProjectError;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Everything saved so far, or nullopt for a new search. Throws ProjectError naming the file or
  // record and what was wrong when the content cannot be read.
  virtual std::optional<Snapshot> load() = 0;
  // Saves one trial's record, replacing the previous one atomically. `durable` asks that the
  // record survive a power loss once the call returns (used for finished trials, whose loss
  // would lose work); other records may be written a little later (flush() writes them now),
  // and a crash of the process may lose the latest of them: the trial then runs again.
  virtual void save_trial(const tuners::Trial& trial, bool durable) = 0;
  // Saves the oracle's own state (seed, space, retry queue, ...), replacing the previous one.
  virtual void save_oracle(const Json& state) = 0;
  // Deletes everything saved for this search (its trials and the oracle's state) so that a new
  // search starts there (overwrite = true). Other searches the storage holds are not touched.
  virtual void erase() = 0;
  // A short description for messages: the folder's path or the database's URL.
  virtual std::string describe() const = 0;
  // Writes what the storage holds back (records saved without `durable`) before returning.
  virtual void flush() {}

  // --- storages shared by several processes ---
  // True when other processes may write the same search at the same time. The oracle then runs
  // every change inside transaction(), after applying what the others wrote.
  virtual bool shared() const { return false; }
  // Runs `body` as one transaction that excludes every other worker's transaction on the same
  // search: the changes it reports are complete, and the saves `body` makes are committed
  // together, or not at all when it throws. `durable`: the commit must survive a power loss (a
  // trial ends in it). A storage that is not shared runs `body` directly.
  virtual void transaction(const std::function<void(const Changes&)>& body, bool /*durable*/) {
    body(Changes{});
  }
};

}  // namespace synalinks::storage

// Where a search keeps its trials and its oracle's state. The project folder is the default
// implementation; SQL storages implement the same interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::storage {

// What a storage holds for one search.
struct Snapshot {
  Json oracle_state;                  // as written by save_oracle
  std::vector<tuners::Trial> trials;  // in trial-id order
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Everything saved so far, or nullopt for a new search. Throws ProjectError naming the file or
  // record and what was wrong when the content cannot be read.
  virtual std::optional<Snapshot> load() = 0;
  // Saves one trial's record, replacing the previous one atomically. `durable` asks that the
  // record survive a power loss once the call returns (used for finished trials, whose loss
  // would lose work); other records only need to survive the death of the process.
  virtual void save_trial(const tuners::Trial& trial, bool durable) = 0;
  // Saves the oracle's own state (seed, space, retry queue, ...), replacing the previous one.
  virtual void save_oracle(const Json& state) = 0;
  // A short description for messages: the folder's path or the database's URL.
  virtual std::string describe() const = 0;
};

}  // namespace synalinks::storage

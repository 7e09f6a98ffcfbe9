// The one exception hierarchy of synalinks. Every message names what was wrong and what was
// expected, so that a user can fix the call without reading the library's source.
#pragma once

#include <stdexcept>
#include <string>

namespace synalinks {

// Root of every exception the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A call received an argument that breaks its contract (a bad hyperparameter declaration, an
// option out of range, a malformed search-space file, ...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A name or id that does not exist (an undeclared hyperparameter, an unknown trial id).
class NotFound : public Error {
 public:
  using Error::Error;
};

// `get` of a hyperparameter whose conditions do not hold for the current values.
class InactiveParameter : public Error {
 public:
  using Error::Error;
};

// The objective cannot be evaluated: a metric the objective needs was not reported, or the
// direction of an objective could not be inferred from its name.
class ObjectiveError : public Error {
 public:
  using Error::Error;
};

// A project folder or storage cannot be used: corrupt or truncated file, a project made by a
// different tuner, a project held by another live process, a path escaping its directory.
class ProjectError : public Error {
 public:
  using Error::Error;
};

// The search cannot go on (for instance too many consecutive failed trials).
class SearchError : public Error {
 public:
  using Error::Error;
};

// Thrown by user code inside a trial: this trial failed and must not be retried.
class FailedTrialError : public Error {
 public:
  using Error::Error;
};

// Thrown by user code inside a trial: stop the whole search now. The running trial stays
// recorded as running, so a resumed search runs it again.
class FatalError : public Error {
 public:
  using Error::Error;
};

// A search's budget ran out (LM calls, cost or tokens): the LM call that would exceed it is not
// sent. A program trial cut this way ends STOPPED and the search starts no new trial.
class BudgetExhausted : public Error {
 public:
  using Error::Error;
};

// Work cut short because it was asked to stop: the search's stop token (TunerOptions::stop_token,
// e.g. after SIGINT or SIGTERM) or the trial's time limit (TunerOptions::trial_timeout). Thrown
// inside a trial by what the trial waits on (an LM call in flight, a trial command); the tuner
// leaves a trial interrupted by a search stop to run again on resume, and fails one whose time
// ran out.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Thrown by Tuner::search when its stop token was triggered: no trial was started after it,
// the running trials were interrupted and stay recorded as running, so that resuming the search
// (the same call, same project) runs them again. Completed trials are kept.
class SearchInterrupted : public Error {
 public:
  using Error::Error;
};

}  // namespace synalinks

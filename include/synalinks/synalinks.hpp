// Everything of synalinks' engine in one include: the search space, the tuners and the storage.
#pragma once

#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameters.hpp"
#include "synalinks/json.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/make_oracle.hpp"
#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/results.hpp"
#include "synalinks/tuners/trial.hpp"
#include "synalinks/tuners/tuner.hpp"

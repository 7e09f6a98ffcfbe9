// Everything needed to write and train LM programs: data models, modules, programs, rewards,
// metrics, optimizers and datasets (link synalinks::program).
#pragma once

#include "synalinks/lm/lm.hpp"
#include "synalinks/program/chain_of_thought.hpp"
#include "synalinks/program/confirmation.hpp"
#include "synalinks/program/data_model.hpp"
#include "synalinks/program/dataset.hpp"
#include "synalinks/program/datasets.hpp"
#include "synalinks/program/generator.hpp"
#include "synalinks/program/metrics.hpp"
#include "synalinks/program/module.hpp"
#include "synalinks/program/naming.hpp"
#include "synalinks/program/optimizers.hpp"
#include "synalinks/program/program.hpp"
#include "synalinks/program/rewards.hpp"

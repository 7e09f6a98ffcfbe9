// The names the C++ snippets of README.md and docs/ use without declaring them, so that a
// snippet reads as a user would write it in the middle of their own code. The generated
// translation units (tools/doc_snippets/extract.py) see them through
// `using namespace snippet_prelude;`; a snippet that declares a name of its own hides them.
// They are only declared: the snippets are compiled, never linked nor run.
#pragma once

#include <any>
#include <cstdint>
#include <iostream>
#include <string>
#include <synalinks/programs.hpp>
#include <synalinks/synalinks.hpp>

namespace snippet_prelude {

namespace sl = synalinks;

// A language model, datasets and a program, as the LM-program snippets assume them.
extern sl::LanguageModel lm;
extern sl::Dataset train;
extern sl::Dataset validation;
extern sl::Dataset fresh_questions;  // samples no trial of a search is scored on
extern sl::Program program;

// A tuner, the options it was built with and the arguments of its search.
extern sl::tuners::RandomSearch tuner;
extern sl::tuners::TunerOptions options;
extern std::any args;

// Hypermodels and the user's own training code they call.
sl::Program build_program(sl::HyperParameters& hp);
double build_and_score(sl::HyperParameters& hp);
sl::tuners::EpochMetrics train_epochs(sl::HyperParameters& hp, sl::tuners::TrialContext& context);
double train_one_epoch(sl::HyperParameters& hp);
double fit_and_score(bool use_chain_of_thought, double temperature,
                     const std::string& reasoning_effort);
double validation_loss(double learning_rate, std::int64_t layers, const std::string& optimizer);

}  // namespace snippet_prelude

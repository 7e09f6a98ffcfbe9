// Model selection with two objectives: a GridSearch tries each of three models on the same
// GSM8K program, maximizing val_reward and minimizing cost, then prints each model's scores and
// the Pareto front (the models no other model beats on both).
//
//   multi_objective_lm_selection [--models a,b,c] [--api-base URL] [--train 12] [--val 6]
//                                [--directory examples] [--data-dir DIR]
//
// Models default to $SYNALINKS_MODELS (comma-separated provider/model ids); scripts/run points
// them at the LM simulator's three models when none is configured. GSM8K is found as by
// gsm8k_hp_search (gsm8k_data.hpp): --data-dir, $SYNALINKS_DATA_DIR, ../shared/datasets/gsm8k, or
// a download into ~/.cache/synalinks/gsm8k.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <synalinks/programs.hpp>
#include <synalinks/synalinks.hpp>

#include "gsm8k_data.hpp"

namespace sl = synalinks;

int main(int argc, char** argv) {
  std::string models_text;
  std::string api_base;
  std::string data_dir;
  std::string directory = "examples";
  std::size_t train_size = 12;
  std::size_t val_size = 6;
  std::string prices_text;
  CLI::App app{"Choose a model for a GSM8K program by reward and cost"};
  app.add_option("--models", models_text, "comma-separated provider/model ids");
  app.add_option("--api-base", api_base, "endpoint base URL (default: $SYNALINKS_API_BASE)");
  app.add_option("--train", train_size, "training questions");
  app.add_option("--val", val_size, "validation questions");
  app.add_option("--directory", directory, "where the project folder goes");
  app.add_option("--data-dir", data_dir, "folder with GSM8K's train.jsonl and test.jsonl");
  app.add_option(
      "--prices", prices_text,
      "prices of models missing from the built-in table, as JSON: "
      "{\"provider/model\": {\"input\": 0.15, \"output\": 0.6}} (USD per million tokens)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (models_text.empty() && std::getenv("SYNALINKS_MODELS") != nullptr)
      models_text = std::getenv("SYNALINKS_MODELS");
    std::vector<std::string> models;
    std::stringstream list(models_text);
    for (std::string model; std::getline(list, model, ',');)
      if (!model.empty()) models.push_back(model);
    if (models.empty()) {
      std::cerr << "multi_objective_lm_selection: no models; give --models or set "
                   "SYNALINKS_MODELS\n";
      return 2;
    }
    const auto data = examples::load_gsm8k(data_dir, train_size + val_size);
    const sl::Dataset train = data.train.take(train_size);
    const sl::Dataset validation = data.train.slice(train_size, train_size + val_size);

    std::map<std::string, sl::ModelPrice> prices;
    if (!prices_text.empty()) {
      const sl::Json table = sl::Json::parse(prices_text);
      for (const auto& [model, price] : table.items()) {
        prices[model] = {.input = price.value("input", 0.0),
                         .cached_input = price.value("cached_input", 0.0),
                         .output = price.value("output", 0.0)};
      }
    }
    std::map<std::string, sl::LanguageModel> language_models;
    for (const auto& model : models) {
      language_models.emplace(
          model, sl::LanguageModel({.model = model, .api_base = api_base, .prices = prices}));
    }

    sl::tuners::GridSearch tuner(
        [&](sl::HyperParameters& hp) {
          const auto model = hp.Choice<std::string>("model", models);
          sl::clear_session();
          const auto inputs = sl::Input(sl::datasets::gsm8k::input_data_model());
          const auto outputs =
              sl::ChainOfThought({.data_model = sl::datasets::gsm8k::output_data_model(),
                                  .language_model = language_models.at(model),
                                  .sampling = {.temperature = 0.0}})(inputs);
          sl::Program program(inputs, outputs, {.name = "model_selection"});
          program.compile({.reward = sl::rewards::ExactMatch({.in_mask = {"answer"}}),
                           .optimizer = sl::optimizers::RandomFewShot()});
          return program;
        },
        {.objective = {sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
                       sl::tuners::Objective("cost", sl::tuners::Direction::min)},
         .max_trials = static_cast<std::int64_t>(models.size()),
         .seed = 1234,
         .directory = directory,
         .project_name = "multi_objective_lm_selection",
         .overwrite = true,
         .verbose = 0});
    tuner.search(
        sl::FitOptions{.x = train.x, .y = train.y, .validation_data = validation, .batch_size = 4});

    std::cout << fmt::format("{:<28} {:>10} {:>12} {:>10} {:>10}\n", "model", "val_reward",
                             "cost (USD)", "tokens", "LM calls");
    for (const auto& trial : tuner.oracle().trials()) {
      if (trial.status != sl::tuners::TrialStatus::completed) continue;
      const auto metric = [&](const char* name) {
        return trial.metrics.get(name).last_value().value_or(0.0);
      };
      std::cout << fmt::format("{:<28} {:>10.3f} {:>12.6f} {:>10.0f} {:>10.0f}\n",
                               trial.hyperparameters.get<std::string>("model"),
                               trial.metrics.get("val_reward").best_value().value_or(0.0),
                               metric("cost"), metric("total_tokens"), metric("lm_calls"));
    }
    std::cout << "\nPareto front (no other model has a higher val_reward at a lower cost):\n";
    for (const auto& trial : tuner.oracle().get_pareto_front())
      std::cout << "  " << trial.hyperparameters.get<std::string>("model") << "\n";
    return 0;
  } catch (const sl::Json::exception& error) {
    std::cerr << "multi_objective_lm_selection: --prices is not valid JSON: " << error.what()
              << "\n";
    return 2;
  } catch (const sl::Error& error) {
    std::cerr << "multi_objective_lm_selection: " << error.what() << "\n";
    return 1;
  }
}

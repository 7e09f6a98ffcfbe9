// Tunes one function with an installed synalinks; prints the best x. Also builds a GSM8K data
// model, so that the LM-program layer links too.
#include <cstdio>
#include <filesystem>
#include <synalinks/programs.hpp>
#include <synalinks/synalinks.hpp>

namespace sl = synalinks;

int main(int argc, char** argv) {
  const std::filesystem::path directory = argc > 1 ? argv[1] : ".";
  sl::tuners::GridSearch tuner(
      [](sl::HyperParameters& hp) {
        const double x = static_cast<double>(hp.Int("x", -3, 3));
        return (x - 1) * (x - 1);
      },
      {.objective = sl::tuners::Objective("loss"),
       .directory = directory,
       .project_name = "consumer",
       .overwrite = true,
       .verbose = 0});
  tuner.search();
  const auto best = tuner.get_best_hyperparameters(1).at(0);
  std::printf("best x = %lld\n", static_cast<long long>(best.get<std::int64_t>("x")));
  const auto keys = sl::datasets::gsm8k::output_data_model().keys();
  return best.get<std::int64_t>("x") == 1 && keys.size() == 2 ? 0 : 1;
}

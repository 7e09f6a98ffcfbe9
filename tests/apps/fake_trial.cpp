// A trial command for the synalinks-tune tests.
//
// Reads the trial's values from stdin, checks they equal SYNALINKS_TRIAL_HP, appends the trial id
// to the file FAKE_TRIAL_LOG (if set), sleeps FAKE_TRIAL_SLEEP seconds (if set), and prints
// metrics on its last line. FAKE_TRIAL_MODE=fail exits with status 1; FAKE_TRIAL_MODE=garbage
// prints a last line that is not JSON. FAKE_TRIAL_STDERR (and FAKE_TRIAL_COUNT) report the loss
// with its uncertainty ({"loss": {"value": .., "stderr": .., "count": ..}}); FAKE_TRIAL_LAST_LINE
// is printed as the last line instead of the metrics. With Hyperband's SYNALINKS_TRIAL_EPOCHS it
// checks that the parent's checkpoint (SYNALINKS_PARENT_TRIAL_DIR) stopped at
// SYNALINKS_TRIAL_INITIAL_EPOCH (exit 4 otherwise) and writes its own to SYNALINKS_TRIAL_DIR.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

int main() {
  std::ostringstream input;
  input << std::cin.rdbuf();
  const auto values = nlohmann::json::parse(input.str());
  if (values != nlohmann::json::parse(env("SYNALINKS_TRIAL_HP"))) {
    std::cerr << "stdin and SYNALINKS_TRIAL_HP differ\n";
    return 3;
  }
  if (const std::string log = env("FAKE_TRIAL_LOG"); !log.empty())
    std::ofstream(log, std::ios::app) << env("SYNALINKS_TRIAL_ID") << "\n";
  if (const std::string sleep = env("FAKE_TRIAL_SLEEP"); !sleep.empty())
    std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(sleep)));
  double resumed = 0;  // 1 when the trial continued its parent's checkpoint
  if (const std::string epochs = env("SYNALINKS_TRIAL_EPOCHS"); !epochs.empty()) {
    if (const std::string parent = env("SYNALINKS_PARENT_TRIAL_DIR"); !parent.empty()) {
      resumed = 1;
      std::ifstream in(parent + "/checkpoint.json");
      if (!in || nlohmann::json::parse(in)["epoch"].get<int>() !=
                     std::stoi(env("SYNALINKS_TRIAL_INITIAL_EPOCH"))) {
        std::cerr << "the parent's checkpoint is missing or stops at another epoch\n";
        return 4;
      }
    }
    std::ofstream(env("SYNALINKS_TRIAL_DIR") + "/checkpoint.json")
        << nlohmann::json{{"epoch", std::stoi(epochs)}}.dump();
  }
  const std::string mode = env("FAKE_TRIAL_MODE");
  if (mode == "fail") return 1;
  std::cout << "some progress output\n";
  if (mode == "garbage") {
    std::cout << "done!\n";
    return 0;
  }
  if (const std::string line = env("FAKE_TRIAL_LAST_LINE"); !line.empty()) {
    std::cout << line << "\n";
    return 0;
  }
  const double x = values.value("x", 0.0);
  const std::string act = values.value("act", std::string("relu"));
  const double penalty = act == "relu" ? 0.0 : act == "tanh" ? 0.5 : 1.0;
  nlohmann::json loss = (x - 0.3) * (x - 0.3) + penalty;
  if (const std::string std_error = env("FAKE_TRIAL_STDERR"); !std_error.empty()) {
    loss = {{"value", loss}, {"stderr", std::stod(std_error)}};
    if (const std::string count = env("FAKE_TRIAL_COUNT"); !count.empty())
      loss["count"] = std::stoi(count);
  }
  std::cout << nlohmann::json{{"loss", loss}, {"accuracy", 1.0 - x}, {"resumed", resumed}}.dump()
            << "\n";
  return 0;
}

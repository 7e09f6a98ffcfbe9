// What the synalinks-tune tests run: the tool, the search space they share and the fake trial
// command (paths given by tests/CMakeLists.txt).
#pragma once

#include <string>

namespace synalinks::tune_test {

inline const std::string kTune = SYNALINKS_TUNE_BINARY;
inline const std::string kSpace = std::string(SYNALINKS_APPS_TEST_DIR) + "/space.json";
inline const std::string kTrial = SYNALINKS_FAKE_TRIAL;

}  // namespace synalinks::tune_test

// A Keras-like progress bar: "3/3 [==============================] - 1s 312ms/step - reward:
// 0.5000"
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>

#include "synalinks/tuners/objective.hpp"

namespace synalinks::program::detail {

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::size_t steps, bool enabled);
  // Redraws the bar after `done` steps, with the logs so far.
  void update(std::size_t done, const tuners::Metrics& logs);
  // Ends the line.
  void finish(const tuners::Metrics& logs);

 private:
  std::ostream& out_;
  std::size_t steps_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::size_t done_ = 0;
};

}  // namespace synalinks::program::detail

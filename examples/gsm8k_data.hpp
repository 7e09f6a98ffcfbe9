// Where the examples find GSM8K: --data-dir, else $SYNALINKS_DATA_DIR, else
// ../shared/datasets/gsm8k when it is there, else a download from GSM8K's repository into the
// cache (~/.cache/synalinks/gsm8k), done once.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <synalinks/programs.hpp>

namespace examples {

inline constexpr const char* kGsm8kUrl =
    "https://raw.githubusercontent.com/openai/grade-school-math/master/grade_school_math/data";

// `rows`: rows per split to read (0: all).
inline synalinks::datasets::gsm8k::Splits load_gsm8k(std::string data_dir, std::size_t rows) {
  if (data_dir.empty() && std::getenv("SYNALINKS_DATA_DIR") != nullptr)
    data_dir = std::getenv("SYNALINKS_DATA_DIR");
  if (data_dir.empty() && std::filesystem::exists("../shared/datasets/gsm8k/train.jsonl"))
    data_dir = "../shared/datasets/gsm8k";
  if (!data_dir.empty())
    return synalinks::datasets::gsm8k::load_data({.directory = data_dir, .limit = rows});
  return synalinks::datasets::gsm8k::load_data({.url = kGsm8kUrl, .limit = rows});
}

}  // namespace examples

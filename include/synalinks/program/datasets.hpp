// Datasets: a generic JSONL loader mapping fields to data models, and GSM8K.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

#include "synalinks/program/data_model.hpp"
#include "synalinks/program/dataset.hpp"

namespace synalinks::program::datasets {

struct JsonlOptions {
  std::filesystem::path path{};
  DataModel input_data_model{"Input", {}};
  DataModel output_data_model{"Output", {}};
  // Field of the data model -> key in the file; fields not listed are read under their own name.
  std::map<std::string, std::string> field_map{};
  std::size_t limit = 0;  // 0: every row
};

// One sample per line: x from the input model's fields, y from the output model's. Numbers
// given as strings ("1,125") are converted for number and integer fields. ProjectError naming
// the file and line for a line that is not a JSON object, lacks a required field, or holds a
// value of the wrong type.
Dataset load_jsonl(const JsonlOptions& options);

namespace gsm8k {

// {"question": string "The math word problem"} titled "MathQuestion".
const DataModel& input_data_model();
// {"thinking": string "Your step by step thinking", "answer": number "The numerical answer"}
// titled "NumericalAnswerWithThinking".
const DataModel& output_data_model();

struct LoadOptions {
  // A folder holding train.jsonl and test.jsonl (GSM8K's own format).
  std::filesystem::path directory{};
  // Or a base URL serving train.jsonl and test.jsonl, downloaded once into cache_directory.
  std::string url{};
  // Empty: $XDG_CACHE_HOME/synalinks/gsm8k, else ~/.cache/synalinks/gsm8k.
  std::filesystem::path cache_directory{};
  std::size_t limit = 0;  // rows per split; 0: all
};

struct Splits {
  Dataset train;
  Dataset test;
};

// The thinking (text before "####", calculator annotations kept) and the answer (after the last
// "####": commas removed, negatives and decimals parsed). InvalidArgument when the answer is not
// a number.
Json parse_answer(const std::string& answer);

// ProjectError naming the file and line of a malformed row; InvalidArgument when neither or
// both of directory and url are given; Error when the download fails (with the URL and why).
Splits load_data(const LoadOptions& options);

}  // namespace gsm8k
}  // namespace synalinks::program::datasets

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
namespace datasets = program::datasets;
}  // namespace synalinks

// Dataset files: a JSONL file read by datasets::load_jsonl into data models with fields of every
// type (numbers given as text converted), and GSM8K's train.jsonl/test.jsonl read by
// gsm8k::load_data (the answer after "####" parsed as a number). Rejections are ProjectError
// naming the file and line (InvalidArgument for parse_answer alone).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/datasets.hpp"

namespace sl = synalinks;
namespace ds = synalinks::datasets;

namespace {

const sl::DataModel& input_model() {
  static const sl::DataModel model(
      "Input", {sl::fields::string("question", "the question"),
                sl::fields::nullable(sl::fields::integer("level", "how hard")),
                sl::fields::with_default(sl::fields::boolean("easy", "is it easy"), false)});
  return model;
}

const sl::DataModel& output_model() {
  static const sl::DataModel model(
      "Output", {sl::fields::number("answer", "the answer"),
                 sl::fields::nullable(sl::fields::array("steps", {{"type", "string"}}, "steps")),
                 sl::fields::nullable(sl::fields::enumeration("unit", {"kg", "m"}, "unit"))});
  return model;
}

// Every value read has the type its field declares.
void check_types(const sl::Json& value) {
  if (!value.is_object()) std::abort();
  if (value.contains("answer") && !value["answer"].is_number()) std::abort();
  if (value.contains("level") && !value["level"].is_number_integer() && !value["level"].is_null())
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto folder = sl::fuzz::scratch_dir();
  sl::fuzz::write_file(folder / "train.jsonl", data, size);
  static const std::string test_split = R"({"question": "1 + 1?", "answer": "one and one\n#### 2"})"
                                        "\n";
  sl::fuzz::write_file(folder / "test.jsonl",
                       reinterpret_cast<const std::uint8_t*>(test_split.data()), test_split.size());
  try {
    const sl::Dataset dataset = ds::load_jsonl({.path = folder / "train.jsonl",
                                                .input_data_model = input_model(),
                                                .output_data_model = output_model(),
                                                .field_map = {{"answer", "final"}}});
    if (dataset.x.size() != dataset.y.size()) std::abort();
    for (const sl::Json& y : dataset.y) check_types(y);
    for (const sl::Json& x : dataset.x) check_types(x);
  } catch (const sl::ProjectError&) {
    // documented: a malformed row
  }
  try {
    const ds::gsm8k::Splits splits = ds::gsm8k::load_data({.directory = folder});
    for (const sl::Json& y : splits.train.y) check_types(y);
  } catch (const sl::ProjectError&) {
    // documented: a malformed row
  }
  try {
    (void)ds::gsm8k::parse_answer(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const sl::InvalidArgument&) {
    // documented: no "####" or no number after it
  }
  return 0;
}

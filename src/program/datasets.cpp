#include "synalinks/program/datasets.hpp"

#include <curl/curl.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "synalinks/errors.hpp"

namespace synalinks::program::datasets {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// A number written as text: "1,125", "-3", "2.50", "$5" is not accepted.
std::optional<double> number_from_text(std::string text) {
  text = trim(text);
  std::erase(text, ',');
  static const std::regex number(R"(^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$)");
  if (!std::regex_match(text, number)) return std::nullopt;
  const double value = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;  // "1e999": no number JSON can hold
  return value;
}

std::string type_of(const Json& property) {
  if (property.contains("type") && property["type"].is_string())
    return property["type"].get<std::string>();
  if (property.contains("anyOf"))
    for (const auto& option : property["anyOf"])
      if (option.contains("type") && option["type"] != "null") return option["type"];
  return "";
}

// The value of `field` from a row, converted to the property's type; nullopt when absent.
std::optional<Json> read_field(const Json& row, const std::string& key, const Json& property,
                               const std::string& where) {
  if (!row.contains(key)) return std::nullopt;
  const Json& value = row[key];
  const std::string type = type_of(property);
  const auto wrong = [&](const char* expected) {
    return ProjectError(where + ": field '" + key + "' holds " + value.dump().substr(0, 80) +
                        "; expected " + expected);
  };
  if (type == "number" || type == "integer") {
    std::optional<double> number;
    if (value.is_number()) number = value.get<double>();
    if (value.is_string()) number = number_from_text(value.get<std::string>());
    if (!number) throw wrong(type == "number" ? "a number" : "an integer");
    if (type == "integer") {
      // Beyond +-2^63 no int64 holds it (and the conversion would be undefined).
      if (*number != std::floor(*number) || std::abs(*number) >= 9.2e18) throw wrong("an integer");
      return Json(static_cast<std::int64_t>(*number));
    }
    return Json(*number);
  }
  if (type == "string" && !value.is_string()) throw wrong("a string");
  if (type == "boolean" && !value.is_boolean()) throw wrong("a boolean");
  if (type == "array" && !value.is_array()) throw wrong("an array");
  return value;
}

Json row_value(const Json& row, const DataModel& model,
               const std::map<std::string, std::string>& field_map, const std::string& where) {
  Json value = Json::object();
  const Json& schema = model.schema();
  const Json required = schema.value("required", Json::array());
  for (const auto& [field, property] : schema["properties"].items()) {
    const auto mapped = field_map.find(field);
    const std::string key = mapped == field_map.end() ? field : mapped->second;
    auto read = read_field(row, key, property, where);
    if (read) {
      value[field] = std::move(*read);
    } else if (std::find(required.begin(), required.end(), field) != required.end()) {
      throw ProjectError(where + ": the row has no '" + key + "'; expected it for field '" + field +
                         "' of " + model.title());
    }
  }
  return value;
}

std::filesystem::path default_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return std::filesystem::path(xdg) / "synalinks" / "gsm8k";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "synalinks" / "gsm8k";
}

std::size_t write_to_file(char* data, std::size_t size, std::size_t count, void* file) {
  return std::fwrite(data, size, count, static_cast<std::FILE*>(file));
}

// Downloads `url` to `target` (through a temporary file, so a failed download leaves nothing).
void download(const std::string& url, const std::filesystem::path& target) {
  const std::filesystem::path temp = target.string() + ".part";
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) throw Error("cannot write " + temp.string() + " to download " + url);
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_to_file);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, file);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  std::fclose(file);
  if (code != CURLE_OK) {
    std::filesystem::remove(temp);
    throw Error("downloading " + url + " failed: " + curl_easy_strerror(code) +
                (status != 0 ? " (HTTP " + std::to_string(status) + ")" : ""));
  }
  std::filesystem::rename(temp, target);
}

// Calls `row_fn(row, "file:line")` for each non-blank line (up to `limit` rows; 0: all).
template <class RowFn>
void for_each_row(const std::filesystem::path& path, std::size_t limit, RowFn&& row_fn) {
  std::ifstream in(path);
  if (!in) throw ProjectError("cannot read " + path.string());
  std::string line;
  std::size_t rows = 0;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (trim(line).empty()) continue;
    const std::string where = path.string() + ":" + std::to_string(number);
    Json row;
    try {
      row = Json::parse(line);
    } catch (const Json::exception&) {
      throw ProjectError(where + ": not a JSON object: " + line.substr(0, 80));
    }
    if (!row.is_object()) throw ProjectError(where + ": expected a JSON object per line");
    row_fn(row, where);
    if (limit != 0 && ++rows >= limit) break;
  }
}

}  // namespace

Dataset load_jsonl(const JsonlOptions& options) {
  Dataset out;
  for_each_row(options.path, options.limit, [&](const Json& row, const std::string& where) {
    out.x.push_back(row_value(row, options.input_data_model, options.field_map, where));
    out.y.push_back(row_value(row, options.output_data_model, options.field_map, where));
  });
  return out;
}

namespace gsm8k {

const DataModel& input_data_model() {
  static const DataModel model("MathQuestion",
                               {fields::string("question", "The math word problem")});
  return model;
}

const DataModel& output_data_model() {
  static const DataModel model("NumericalAnswerWithThinking",
                               {fields::string("thinking", "Your step by step thinking"),
                                fields::number("answer", "The numerical answer")});
  return model;
}

Json parse_answer(const std::string& answer) {
  const auto first = answer.find("####");
  const auto last = answer.rfind("####");
  if (first == std::string::npos) {
    throw InvalidArgument("GSM8K answer has no \"####\" line: " + answer.substr(0, 80));
  }
  const std::string tail = answer.substr(last + 4);
  const auto number = number_from_text(tail);
  if (!number) {
    throw InvalidArgument("GSM8K answer after \"####\" is '" + trim(tail) +
                          "'; expected a number such as 1,125 or -3.5");
  }
  return {{"thinking", trim(answer.substr(0, first))}, {"answer", *number}};
}

Splits load_data(const LoadOptions& options) {
  if (options.directory.empty() == options.url.empty()) {
    throw InvalidArgument(
        "gsm8k::load_data: expected exactly one of .directory (a folder with train.jsonl and "
        "test.jsonl) or .url");
  }
  std::filesystem::path folder = options.directory;
  if (!options.url.empty()) {
    folder = options.cache_directory.empty() ? default_cache() : options.cache_directory;
    std::filesystem::create_directories(folder);
    std::string base = options.url;
    if (!base.ends_with("/")) base += "/";
    for (const char* name : {"train.jsonl", "test.jsonl"})
      if (!std::filesystem::exists(folder / name)) download(base + name, folder / name);
  }
  Splits splits;
  // (No structured binding: the lambda below uses `split`, and clang 14 cannot capture one.)
  for (const auto& entry :
       {std::pair{"train.jsonl", &splits.train}, {"test.jsonl", &splits.test}}) {
    const char* name = entry.first;
    Dataset* split = entry.second;
    for_each_row(folder / name, options.limit, [&](const Json& row, const std::string& where) {
      split->x.push_back(row_value(row, input_data_model(), {}, where));
      if (!row.contains("answer") || !row["answer"].is_string()) {
        throw ProjectError(where + ": expected a string \"answer\" ending with \"#### <number>\"");
      }
      try {
        split->y.push_back(parse_answer(row["answer"].get<std::string>()));
      } catch (const InvalidArgument& error) {
        throw ProjectError(where + ": " + error.what());
      }
    });
  }
  return splits;
}

}  // namespace gsm8k
}  // namespace synalinks::program::datasets

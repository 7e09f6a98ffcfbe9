#include "question_bank.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lmsim {
namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Skips an escape that starts at text[i] == '\\'; returns the index after it.
std::size_t skip_escape(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size()) return i + 1;
  const char kind = text[i + 1];
  std::size_t digits = 0;
  if (kind == 'u') digits = 4;
  if (kind == 'x') digits = 2;
  if (kind == 'U') digits = 8;
  std::size_t j = i + 2;
  while (digits > 0 && j < text.size() && is_hex(text[j])) {
    ++j;
    --digits;
  }
  return j;
}

}  // namespace

std::string normalize_for_matching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\\') {
      i = skip_escape(text, i);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 128 && std::isalnum(u)) out.push_back(static_cast<char>(std::tolower(u)));
    ++i;
  }
  return out;
}

std::size_t QuestionBank::load_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open data file '" + path + "'");
  std::string line;
  std::size_t line_number = 0;
  std::size_t loaded = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_number);
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error(where + ": not valid JSON: " + e.what());
    }
    if (!row.is_object() || !row.contains("question") || !row.contains("answer") ||
        !row["question"].is_string() || !row["answer"].is_string()) {
      throw std::runtime_error(where + ": expected {\"question\": string, \"answer\": string}");
    }
    const std::string answer_text = row["answer"].get<std::string>();
    const auto marker = answer_text.rfind("####");
    KnownQuestion q;
    q.question = row["question"].get<std::string>();
    std::string number = marker == std::string::npos ? answer_text : answer_text.substr(marker + 4);
    std::erase(number, ',');
    try {
      q.answer = std::stod(number);
    } catch (const std::exception&) {
      q.answer = 0.0;  // as Synalinks' loader: an unparsable answer becomes 0.0
    }
    q.worked_solution = answer_text.substr(0, marker == std::string::npos ? 0 : marker);
    while (!q.worked_solution.empty() &&
           std::isspace(static_cast<unsigned char>(q.worked_solution.back()))) {
      q.worked_solution.pop_back();
    }
    q.normalized = normalize_for_matching(q.question);
    if (q.normalized.size() < kKeyLength) continue;  // too short to recognize reliably
    by_prefix_[q.normalized.substr(0, kKeyLength)].push_back(questions_.size());
    questions_.push_back(std::move(q));
    ++loaded;
  }
  return loaded;
}

std::size_t QuestionBank::load_directory(const std::string& directory) {
  std::size_t loaded = 0;
  for (const char* name : {"train.jsonl", "test.jsonl"}) {
    const auto path = std::filesystem::path(directory) / name;
    if (std::filesystem::exists(path)) loaded += load_jsonl(path.string());
  }
  if (loaded == 0) {
    throw std::runtime_error("no train.jsonl or test.jsonl with rows in data directory '" +
                             directory + "'");
  }
  return loaded;
}

const KnownQuestion* QuestionBank::find(std::string_view prompt) const {
  if (questions_.empty()) return nullptr;
  const std::string text = normalize_for_matching(prompt);
  // Try every position after the word "question" first (Synalinks' inputs are
  // {'question': ...}), then the whole text (a plain question).
  std::vector<std::size_t> starts;
  for (auto pos = text.find("question"); pos != std::string::npos;
       pos = text.find("question", pos + 1)) {
    starts.push_back(pos + 8);
  }
  starts.push_back(0);
  const KnownQuestion* best = nullptr;
  for (const std::size_t start : starts) {
    if (start + kKeyLength > text.size()) continue;
    const auto it = by_prefix_.find(text.substr(start, kKeyLength));
    if (it == by_prefix_.end()) continue;
    for (const std::size_t index : it->second) {
      const KnownQuestion& q = questions_[index];
      if (text.compare(start, q.normalized.size(), q.normalized) == 0 &&
          (best == nullptr || q.normalized.size() > best->normalized.size())) {
        best = &q;
      }
    }
    if (best != nullptr) return best;
  }
  return nullptr;
}

}  // namespace lmsim

// Question/answer pairs the simulator "knows" (GSM8K format: {"question", "answer"} where the
// answer ends with "#### <number>"), and recognition of a known question inside a prompt.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lmsim {

struct KnownQuestion {
  std::string question;
  std::string worked_solution;  // the text before "####"
  double answer = 0.0;
  std::string normalized;  // lowercase ASCII letters and digits only
};

class QuestionBank {
 public:
  // Reads one JSONL file; returns the number of rows loaded. Throws std::runtime_error naming the
  // file and line of a malformed row.
  std::size_t load_jsonl(const std::string& path);
  // Loads train.jsonl and test.jsonl from a directory when they exist; returns rows loaded.
  std::size_t load_directory(const std::string& directory);

  // The known question a prompt text contains, if any. The question may be embedded as JSON,
  // Python repr or plain text (quotes, escapes and spacing do not matter).
  const KnownQuestion* find(std::string_view prompt) const;

  std::size_t size() const { return questions_.size(); }

 private:
  static constexpr std::size_t kKeyLength = 40;
  std::vector<KnownQuestion> questions_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_prefix_;
};

// Lowercase ASCII letters and digits of `text`, dropping everything else; backslash escapes
// (\n, \u2019, \x27, ...) are dropped whole so JSON- and repr-encoded text normalizes the same.
std::string normalize_for_matching(std::string_view text);

}  // namespace lmsim

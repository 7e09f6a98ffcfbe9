#include "synalinks/program/naming.hpp"

#include <cctype>
#include <map>

namespace synalinks::program {
namespace {

std::map<std::string, int, std::less<>>& counters() {
  thread_local std::map<std::string, int, std::less<>> table;
  return table;
}

}  // namespace

std::string to_snake_case(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (std::isupper(c) && i > 0) {
      const auto prev = static_cast<unsigned char>(name[i - 1]);
      const bool next_lower =
          i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
      // A new word starts at an upper-case letter after a lower-case one or a digit, and at the
      // last capital of an acronym ("HTTPResponse" -> "http_response").
      if ((std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) &&
          !out.empty() && out.back() != '_')
        out += '_';
    }
    out += static_cast<char>(std::tolower(c));
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string auto_name(std::string_view prefix) {
  const std::string name = to_snake_case(prefix);
  int& count = counters()[name];
  const std::string result = count == 0 ? name : name + "_" + std::to_string(count);
  ++count;
  return result;
}

void clear_session() {
  counters().clear();
}

}  // namespace synalinks::program

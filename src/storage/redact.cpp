// One redaction of passwords for every URL and connection string we show.
#include "synalinks/storage/redact.hpp"

#include <cctype>

namespace synalinks::storage {
namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Replaces the value of every `password=` (a whole key, case-insensitive) with ***: up to the
// next '&' or whitespace, or the closing quote of a single-quoted value (with \' escapes).
std::string redact_password_keys(std::string text) {
  static constexpr std::string_view key = "password=";
  std::size_t from = 0;
  for (;;) {
    std::size_t at = std::string::npos;
    for (std::size_t i = from; i + key.size() <= text.size(); ++i) {
      bool match = true;
      for (std::size_t k = 0; k < key.size() && match; ++k)
        match = std::tolower(static_cast<unsigned char>(text[i + k])) == key[k];
      if (match && (i == 0 || !is_key_char(text[i - 1]))) {
        at = i;
        break;
      }
    }
    if (at == std::string::npos) return text;
    const std::size_t begin = at + key.size();
    std::size_t end = begin;
    if (end < text.size() && text[end] == '\'') {
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != '&' &&
             std::isspace(static_cast<unsigned char>(text[end])) == 0)
        ++end;
    }
    text.replace(begin, end - begin, "***");
    from = begin + 3;
  }
}

}  // namespace

std::string redact_secrets(std::string_view input) {
  std::string text(input);
  // URLs: scheme://user:password@host... (the user information ends at the last '@' before the
  // path, so that a password holding '@' is hidden whole).
  std::size_t from = 0;
  while ((from = text.find("://", from)) != std::string::npos) {
    const std::size_t authority = from + 3;
    std::size_t end = authority;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           std::isspace(static_cast<unsigned char>(text[end])) == 0)
      ++end;
    const std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, "***");
    }
    from = authority;
  }
  return redact_password_keys(std::move(text));
}

}  // namespace synalinks::storage

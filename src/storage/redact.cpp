// One redaction of passwords for every URL and connection string we show.
#include "synalinks/storage/redact.hpp"

#include <algorithm>
#include <cctype>

namespace synalinks::storage {
namespace {

constexpr std::size_t npos = std::string::npos;

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Where the text after the '=' of a `password=` key starting at `at` begins (libpq's keyword
// form allows spaces before '=': `password = secret`); npos when `at` does not start such a key.
std::size_t password_value_at(const std::string& text, std::size_t at) {
  static constexpr std::string_view key = "password";
  if (at + key.size() > text.size() || (at > 0 && is_key_char(text[at - 1]))) return npos;
  for (std::size_t k = 0; k < key.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(text[at + k])) != key[k]) return npos;
  std::size_t i = at + key.size();
  while (i < text.size() && is_space(text[i])) ++i;
  if (i == text.size() || text[i] != '=') return npos;
  return i + 1;
}

// Replaces the value of every `password=` (a whole key, case-insensitive) with ***, as libpq
// reads it: a URL's query parameter (after '?' or '&') up to the next '&'; a keyword's value up
// to the next whitespace, or to the closing quote of a single-quoted value (with \' escapes).
std::string redact_password_keys(std::string text) {
  for (std::size_t at = 0; at < text.size(); ++at) {
    std::size_t begin = password_value_at(text, at);
    if (begin == npos) continue;
    // A query parameter's value is everything up to '&', leading spaces included; a keyword's
    // value starts after the spaces that follow '='.
    const bool query_parameter = at > 0 && (text[at - 1] == '?' || text[at - 1] == '&');
    if (!query_parameter)
      while (begin < text.size() && is_space(text[begin])) ++begin;
    std::size_t end = begin;
    if (query_parameter) {
      while (end < text.size() && text[end] != '&') ++end;
    } else if (end < text.size() && text[end] == '\'') {
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && !is_space(text[end])) ++end;
    }
    text.replace(begin, end - begin, "***");
    at = begin + 2;
  }
  return text;
}

// URLs: scheme://user:password@host... The user information ends at the last '@' before the
// path, so that a password holding '@' is hidden whole. libpq reads credentials up to an '@'
// before the first '/' whatever comes between ('?', '#', spaces), so only a '/' ends the
// search: hiding too much is safe, showing a password is not.
std::string redact_user_information(std::string text) {
  std::size_t from = 0;
  while ((from = text.find("://", from)) != std::string::npos) {
    const std::size_t authority = from + 3;
    std::size_t end = authority;
    while (end < text.size() && text[end] != '/') ++end;
    const std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, "***");
    }
    from = authority;
  }
  return text;
}

}  // namespace

std::string redact_secrets(std::string_view input) {
  // Each pass can move what libpq takes for the other's: hiding a query parameter up to its '&'
  // can swallow the '/' that ended the user information, so that a later ':secret@' becomes
  // the URL's password (found by fuzzing: `postgres://?password=:o@/&:o@`). Both run until the
  // text no longer changes; each only writes *** where a secret was, so a few passes do.
  std::string text(input);
  for (int pass = 0; pass < 16; ++pass) {
    std::string next = redact_password_keys(redact_user_information(text));
    if (next == text) break;
    text = std::move(next);
  }
  return text;
}

}  // namespace synalinks::storage

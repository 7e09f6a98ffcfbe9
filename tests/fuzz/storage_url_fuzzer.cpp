// Storage URLs (`--storage`, open_storage) and the redaction of the passwords they carry. A URL
// is read without opening anything: the scheme by parse_storage_url, a PostgreSQL URI by libpq's
// own parser (what PQconnectdb would read). Whatever libpq reads a password from, the redacted
// text must not show it: no message may show a password.
#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "storage/storage_url.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/storage/sql_storage.hpp"

namespace sl = synalinks;
namespace st = synalinks::storage;

namespace {

// libpq's reading of a connection string or URI: the password, or "" when there is none;
// nullopt when libpq rejects the text.
std::optional<std::string> libpq_password(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);
  if (options == nullptr) return std::nullopt;
  std::string password;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option)
    if (std::string(option->keyword) == "password" && option->val != nullptr)
      password = option->val;
  PQconninfoFree(options);
  return password;
}

// The redacted text leaks no password libpq would read from the original. libpq may read the
// redacted text differently (`password='a b'host=h` becomes `password=***host=h`); what it
// reads there must be neither the password nor "***" followed by the password's tail.
void check_redacted(const std::string& conninfo) {
  const auto password = libpq_password(conninfo);
  if (!password || password->empty() || password->starts_with("***")) return;
  const auto shown = libpq_password(st::redact_secrets(conninfo));
  if (!shown || shown->empty()) return;
  if (*shown == *password) std::abort();  // the whole password
  const std::string rest = shown->starts_with("***") ? shown->substr(3) : std::string();
  if (!rest.empty() && password->ends_with(rest)) std::abort();  // the tail of the password
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (text.find('\0') != std::string::npos) return 0;  // no C string holds one
  (void)st::redact_secrets(text);
  check_redacted(text);  // as a libpq connection string
  try {
    const st::detail::StorageUrl url = st::detail::parse_storage_url(text);
    if (url.target.empty()) std::abort();
    if (url.kind == st::detail::StorageUrl::Kind::postgresql) check_redacted(url.target);
  } catch (const sl::InvalidArgument&) {
    // an unknown scheme: documented (its message shows the URL redacted, as checked above)
  }
  try {
    (void)st::schema_revision_from_string(text);
  } catch (const sl::InvalidArgument&) {
  }
  return 0;
}

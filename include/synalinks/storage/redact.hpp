// Secrets out of messages: every URL or connection string a message, a log or a file may show
// goes through redact_secrets first.
#pragma once

#include <string>
#include <string_view>

namespace synalinks::storage {

// `text` with every password replaced by "***": the password of a URL's user information
// (postgresql://user:secret@host/db -> postgresql://user:***@host/db), a `password=` query
// parameter of a URL (up to the next '&'), and a `password=` keyword of a libpq connection string,
// quoted or not, with spaces around '=' or not, as libpq reads them
// (host=h password = 'a b' dbname=d -> host=h password = *** dbname=d). The rest is unchanged.
std::string redact_secrets(std::string_view text);

}  // namespace synalinks::storage

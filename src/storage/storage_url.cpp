#include "storage/storage_url.hpp"

#include "synalinks/errors.hpp"
#include "synalinks/storage/redact.hpp"

namespace synalinks::storage::detail {

StorageUrl parse_storage_url(const std::string& url) {
  if (url.starts_with("sqlite:///")) {
    std::string path = url.substr(10);
    if (path.empty())
      throw InvalidArgument("storage URL '" + redact_secrets(url) +
                            "' names no file; expected sqlite:///relative.db or "
                            "sqlite:////absolute/path.db");
    return {.kind = StorageUrl::Kind::sqlite, .target = std::move(path)};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return {.kind = StorageUrl::Kind::postgresql, .target = url};
  // SQLAlchemy's driver suffix means nothing to libpq.
  if (url.starts_with("postgresql+psycopg2://"))
    return {.kind = StorageUrl::Kind::postgresql, .target = "postgresql://" + url.substr(22)};
  throw InvalidArgument("storage URL '" + redact_secrets(url) +
                        "' has an unknown scheme; expected sqlite:///path.db or "
                        "postgresql://user@host:port/database");
}

}  // namespace synalinks::storage::detail

// On-disk cache of language-model replies, keyed by the full request (base URL, model, messages,
// schema, sampling options; never the API key). SQLite in WAL mode: one file, atomic writes,
// safe for many threads and processes at once. The file and its -wal/-shm companions are
// created readable by the owner only (0600).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace synalinks {

class ResponseCache {
 public:
  // Creates parent directories (0700) and the database (0600) when missing. Throws
  // LanguageModelConfigError when the file cannot be opened as a cache.
  explicit ResponseCache(const std::filesystem::path& path);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  std::optional<std::string> get(const std::string& key) const;
  void put(const std::string& key, const std::string& value);
  std::size_t size() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Database;
  std::filesystem::path path_;
  std::unique_ptr<Database> database_;
};

}  // namespace synalinks

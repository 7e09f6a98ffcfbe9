// On-disk cache of language-model replies, keyed by the full request (base URL, model, messages,
// schema, sampling options; never the API key). SQLite in WAL mode: one file, atomic writes,
// safe for many threads and processes at once. The file and its -wal/-shm companions are
// created readable by the owner only (0600).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace synalinks::lm {

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

  // Held by the one caller of this object fetching a key; released when destroyed.
  class Claim {
   public:
    Claim(Claim&& other) noexcept
        : cache_(std::exchange(other.cache_, nullptr)), key_(std::move(other.key_)) {}
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    Claim& operator=(Claim&&) = delete;
    ~Claim();

   private:
    friend class ResponseCache;
    Claim(const ResponseCache* cache, std::string key) : cache_(cache), key_(std::move(key)) {}
    const ResponseCache* cache_;
    std::string key_;
  };
  // Waits while another caller of this object holds `key`, then claims it: identical requests
  // made at once through one cache are sent once, the others finding the reply stored when the
  // claim is released (or fetching it themselves if the first caller got none).
  Claim claim(const std::string& key) const;
  std::size_t size() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Database;
  struct InFlight;
  std::filesystem::path path_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<InFlight> in_flight_;
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::ResponseCache;
}  // namespace synalinks

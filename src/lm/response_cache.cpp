#include "synalinks/lm/response_cache.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm {

// One connection guarded by a mutex: SQLite serializes writers anyway, and WAL lets other
// processes read while this one writes.
struct ResponseCache::Database {
  sqlite3* db = nullptr;
  sqlite3_stmt* select = nullptr;
  sqlite3_stmt* insert = nullptr;
  mutable std::mutex mutex;

  ~Database() {
    sqlite3_finalize(select);
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
};

// Keys being fetched by a caller of this object.
struct ResponseCache::InFlight {
  std::mutex mutex;
  std::condition_variable released;
  std::set<std::string> keys;
};

ResponseCache::Claim ResponseCache::claim(const std::string& key) const {
  std::unique_lock lock(in_flight_->mutex);
  in_flight_->released.wait(lock, [&] { return !in_flight_->keys.contains(key); });
  in_flight_->keys.insert(key);
  return Claim(this, key);
}

ResponseCache::Claim::~Claim() {
  if (cache_ == nullptr) return;
  {
    std::lock_guard lock(cache_->in_flight_->mutex);
    cache_->in_flight_->keys.erase(key_);
  }
  cache_->in_flight_->released.notify_all();
}

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw LanguageModelConfigError("cannot use '" + path.string() + "' as the response cache: " +
                                 what + "; expected a writable SQLite file path");
}

// Creates missing parents as 0700: the cache holds prompts and replies.
void create_private_directories(const std::filesystem::path& directory) {
  if (directory.empty() || std::filesystem::exists(directory)) return;
  create_private_directories(directory.parent_path());
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    throw LanguageModelConfigError("cannot create cache directory '" + directory.string() + "'");
  }
}

}  // namespace

ResponseCache::ResponseCache(const std::filesystem::path& path)
    : path_(path),
      database_(std::make_unique<Database>()),
      in_flight_(std::make_unique<InFlight>()) {
  create_private_directories(path.parent_path());
  // Create the file ourselves with mode 0600; SQLite gives its -wal and -shm files the same mode.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail(path, "the file cannot be created");
  ::fchmod(fd, 0600);
  ::close(fd);
  if (sqlite3_open_v2(path.c_str(), &database_->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    fail(path, sqlite3_errmsg(database_->db));
  }
  sqlite3_busy_timeout(database_->db, 10'000);
  const char* setup =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS responses ("
      "  key TEXT PRIMARY KEY,"
      "  value TEXT NOT NULL,"
      "  created_at INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
      ") WITHOUT ROWID;";
  char* error = nullptr;
  if (sqlite3_exec(database_->db, setup, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string what = error != nullptr ? error : "unknown SQLite error";
    sqlite3_free(error);
    fail(path, what);
  }
  if (sqlite3_prepare_v2(database_->db, "SELECT value FROM responses WHERE key = ?1", -1,
                         &database_->select, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(database_->db,
                         "INSERT OR REPLACE INTO responses (key, value) VALUES (?1, ?2)", -1,
                         &database_->insert, nullptr) != SQLITE_OK) {
    fail(path, sqlite3_errmsg(database_->db));
  }
}

ResponseCache::~ResponseCache() = default;

std::optional<std::string> ResponseCache::get(const std::string& key) const {
  std::lock_guard lock(database_->mutex);
  sqlite3_stmt* statement = database_->select;
  sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  std::optional<std::string> value;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    const int size = sqlite3_column_bytes(statement, 0);
    value.emplace(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return value;
}

void ResponseCache::put(const std::string& key, const std::string& value) {
  std::lock_guard lock(database_->mutex);
  sqlite3_stmt* statement = database_->insert;
  sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(statement, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (rc != SQLITE_DONE) {
    // A cache that cannot be written must not fail the call that produced a good reply.
    return;
  }
}

std::size_t ResponseCache::size() const {
  std::lock_guard lock(database_->mutex);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(database_->db, "SELECT COUNT(*) FROM responses", -1, &statement, nullptr);
  std::size_t count = 0;
  if (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    count = static_cast<std::size_t>(sqlite3_column_int64(statement, 0));
  }
  sqlite3_finalize(statement);
  return count;
}

}  // namespace synalinks::lm

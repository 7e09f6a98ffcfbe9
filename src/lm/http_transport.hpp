// HTTP POSTs through libcurl, over a pool of easy handles. Each LanguageModel call runs its
// request on the calling thread with a handle borrowed from the pool: the handle keeps its
// connection alive, so consecutive calls reuse connections, and the retry/validation logic stays
// straight-line code. The pool never holds more handles than max_concurrency, the most requests
// that can be in flight at once, so the multi interface would buy no extra parallelism here.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace synalinks::lm::detail {

struct HttpResult {
  long status = 0;  // 0 when no HTTP status was received
  std::string body{};
  bool timed_out = false;
  bool transport_error = false;  // connection refused/reset, body cut short, ...
  bool cancelled = false;        // aborted: the caller's cancel token was triggered
  std::string error{};           // curl's description of the transport error
  // Retry-After (seconds or HTTP date) or retry-after-ms, in milliseconds.
  std::optional<double> retry_after_ms{};
};

// A fixed set of request headers, built once per endpoint (curl reads but never modifies it).
class HeaderList {
 public:
  explicit HeaderList(const std::vector<std::string>& lines);
  ~HeaderList();
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  const void* get() const { return list_; }

 private:
  void* list_ = nullptr;
};

class HttpTransport {
 public:
  HttpTransport();
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Thread-safe. Never throws for HTTP or network failures: they are reported in the result.
  // A triggered `cancel` aborts the transfer within about a tenth of a second.
  HttpResult post(const std::string& url, const HeaderList& headers, const std::string& body,
                  std::chrono::milliseconds timeout, const std::stop_token& cancel = {});

 private:
  void* acquire();
  void release(void* handle);

  std::mutex mutex_;
  std::vector<void*> idle_;
};

}  // namespace synalinks::lm::detail

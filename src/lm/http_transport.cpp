#include "http_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace synalinks::lm::detail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string trimmed_value(std::string_view line, std::size_t name_size) {
  std::string_view value = line.substr(name_size + 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  return std::string(value);
}

struct HeaderCapture {
  std::optional<double> retry_after_ms;
  std::optional<double> retry_after_ms_header;
};

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* capture = static_cast<HeaderCapture*>(user);
  const std::string_view line(data, size * count);
  try {
    if (header_is(line, "retry-after-ms")) {
      capture->retry_after_ms_header = std::stod(trimmed_value(line, 14));
    } else if (header_is(line, "retry-after")) {
      const std::string value = trimmed_value(line, 11);
      if (!value.empty() && std::isdigit(static_cast<unsigned char>(value.front()))) {
        capture->retry_after_ms = std::stod(value) * 1000.0;
      } else {
        const time_t when = curl_getdate(value.c_str(), nullptr);  // an HTTP date
        if (when > 0) {
          capture->retry_after_ms = std::max(0.0, std::difftime(when, std::time(nullptr))) * 1e3;
        }
      }
    }
  } catch (const std::exception&) {
    // An unparsable Retry-After is ignored: the usual backoff applies.
  }
  return size * count;
}

// libcurl calls it several times a second during a transfer, even when no byte moves: a non-zero
// return aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int check_cancel(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                 curl_off_t /*ulnow*/) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

}  // namespace

HeaderList::HeaderList(const std::vector<std::string>& lines) {
  curl_slist* list = nullptr;
  for (const std::string& line : lines) list = curl_slist_append(list, line.c_str());
  list_ = list;
}

HeaderList::~HeaderList() {
  curl_slist_free_all(static_cast<curl_slist*>(list_));
}

HttpTransport::HttpTransport() {
  global_init();
}

HttpTransport::~HttpTransport() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpTransport::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpTransport::release(void* handle) {
  std::lock_guard lock(mutex_);
  idle_.push_back(handle);
}

HttpResult HttpTransport::post(const std::string& url, const HeaderList& headers,
                               const std::string& body, std::chrono::milliseconds timeout,
                               const std::stop_token& cancel) {
  HttpResult result;
  if (cancel.stop_requested()) {
    result.cancelled = true;
    result.error = "cancelled before it was sent";
    return result;
  }
  CURL* curl = static_cast<CURL*>(acquire());
  if (curl == nullptr) {
    result.transport_error = true;
    result.error = "curl_easy_init failed";
    return result;
  }
  HeaderCapture capture;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // required for timeouts in threaded programs
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<const curl_slist*>(headers.get()));
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<long long>(1, timeout.count())));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::clamp<long long>(timeout.count(), 1, 10'000)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &capture);
  if (cancel.stop_possible()) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cancel);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  } else {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  }

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.cancelled = code == CURLE_ABORTED_BY_CALLBACK;
    result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    result.transport_error = !result.timed_out && !result.cancelled;
    result.error = curl_easy_strerror(code);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  }
  result.retry_after_ms =
      capture.retry_after_ms_header ? capture.retry_after_ms_header : capture.retry_after_ms;
  // Drop references to this call's buffers before the handle goes back to the pool.
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  if (code != CURLE_OK) {
    // A failed transfer may leave a half-read connection: start the next call afresh.
    curl_easy_cleanup(curl);
  } else {
    release(curl);
  }
  return result;
}

}  // namespace synalinks::lm::detail

#include "simulator.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>
#include <cstdio>
#include <thread>
#include <variant>

#include "hashing.hpp"

namespace lmsim {
namespace {

using nlohmann::ordered_json;

constexpr const char* kJson = "application/json";

std::string hex16(std::uint64_t x) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(x));
  return buffer;
}

ordered_json error_body(const RequestError& error) {
  return {{"error",
           {{"message", error.message},
            {"type", error.type},
            {"param", error.param.empty() ? ordered_json(nullptr) : ordered_json(error.param)},
            {"code", error.code.empty() ? ordered_json(nullptr) : ordered_json(error.code)}}}};
}

}  // namespace

Simulator::Simulator(SimulatorConfig config, QuestionBank bank, std::uint64_t seed)
    : config_(std::move(config)),
      bank_(std::move(bank)),
      seed_(seed),
      server_(std::make_unique<httplib::Server>()) {
  const auto threads = static_cast<std::size_t>(config_.server_threads);
  // cpp-httplib serves a kept-alive connection on one pool thread, so the pool must be larger
  // than the number of connections clients keep open.
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_keep_alive_max_count(1000000);
  server_->set_keep_alive_timeout(2);  // bounds how long stop() waits for idle connections
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(64 * 1024 * 1024);
  server_->Post("/v1/chat/completions", [this](const httplib::Request& req,
                                               httplib::Response& res) { handle_chat(req, res); });
  server_->Get("/v1/models",
               [this](const httplib::Request&, httplib::Response& res) { handle_models(res); });
  server_->Get("/stats",
               [this](const httplib::Request&, httplib::Response& res) { handle_stats(res); });
  server_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\",\"server\":\"lmsim\"}", kJson);
  });
  // Never let an exception cross the HTTP boundary: it becomes an OpenAI-style 500.
  server_->set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, {.status = 500, .type = "server_error", .message = "lmsim: " + what});
      });
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const RequestError error{.status = res.status,
                             .type = "invalid_request_error",
                             .message = "lmsim has no route " + req.method + " " + req.path};
    res.set_content(error_body(error).dump(), kJson);
  });
}

Simulator::~Simulator() = default;

namespace {

// cpp-httplib 0.11 listens with a backlog of 5 and offers no way to change it: a burst of new
// connections (a client opening max_concurrency connections at once) then overflows the accept
// queue and waits for the kernel's 1 s SYN retransmission. Calling listen() again on the
// listening socket raises its backlog, so find that socket by its port.
void widen_listen_backlog(int port) {
  for (int fd = 3; fd < 4096; ++fd) {
    int accepting = 0;
    socklen_t size = sizeof accepting;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) != 0 || !accepting) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    }
    if (bound == port) ::listen(fd, 1024);
  }
}

}  // namespace

int Simulator::bind(const std::string& host, int port) {
  const int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound > 0) widen_listen_backlog(bound);
  return bound;
}

bool Simulator::run() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_) return true;  // stopped before it served
    serving_ = true;
  }
  const bool served = server_->listen_after_bind();
  served_ = true;
  return served;
}

void Simulator::stop() {
  bool serving = false;
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
    serving = serving_;
  }
  stop_cv_.notify_all();
  // cpp-httplib ignores a stop() that comes before its server listens (a SIGTERM right after
  // the port was printed): repeat it until run() has returned.
  while (serving && !served_) {
    server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool Simulator::sleep_for(std::chrono::duration<double, std::milli> duration) {
  if (duration.count() <= 0) return true;
  std::unique_lock lock(stop_mutex_);
  return !stop_cv_.wait_for(lock, duration, [this] { return stopping_; });
}

void Simulator::count_status(int status) {
  std::lock_guard lock(stats_mutex_);
  ++responses_by_status_[std::to_string(status)];
}

void Simulator::send_error(httplib::Response& response, const RequestError& error) {
  response.status = error.status;
  response.set_content(error_body(error).dump(), kJson);
  count_status(error.status);
}

void Simulator::send_rate_limited(httplib::Response& response, double retry_after_ms,
                                  const std::string& message) {
  const auto ms = static_cast<long long>(std::ceil(retry_after_ms));
  response.set_header("retry-after", std::to_string((ms + 999) / 1000));
  response.set_header("retry-after-ms", std::to_string(ms));
  send_error(
      response,
      {.status = 429, .type = "requests", .code = "rate_limit_exceeded", .message = message});
}

std::string Simulator::choose_fault(std::uint64_t request_number) {
  const FaultConfig& f = config_.faults;
  if (request_number < f.script.size()) return f.script[request_number];
  double u = unit_interval(hash_combine(hash_bytes("fault", seed_), request_number));
  const std::pair<const char*, double> rates[] = {{"rate_limited", f.rate_limited},
                                                  {"server_error", f.server_error},
                                                  {"hang", f.hang},
                                                  {"malformed_body", f.malformed_body},
                                                  {"truncated_body", f.truncated_body},
                                                  {"invalid_content", f.invalid_content},
                                                  {"schema_violation", f.schema_violation}};
  for (const auto& [name, rate] : rates) {
    if (u < rate) return name;
    u -= rate;
  }
  return "none";
}

double Simulator::draw_latency_ms(const ModelConfig& model, std::uint64_t hash) const {
  const LatencyConfig& l = model.latency;
  DrawStream draws(hash);
  if (l.distribution == "uniform") return l.min_ms + (l.max_ms - l.min_ms) * draws.uniform();
  if (l.distribution == "lognormal") {
    // Box-Muller from two uniforms.
    const double u1 = std::max(draws.uniform(), 1e-12);
    const double u2 = draws.uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    return l.median_ms * std::exp(l.sigma * z);
  }
  return l.value_ms;
}

// Prompt caching as OpenAI bills it: a first message of 1024+ tokens seen before is cached in
// 128-token blocks. The only part of a reply that depends on earlier requests.
int Simulator::cached_prompt_tokens(const ParsedRequest& request, int prompt_tokens) {
  const int prefix_tokens = estimate_tokens(request.first_message_text);
  if (prefix_tokens < 1024) return 0;
  const std::uint64_t key = hash_bytes(request.first_message_text, hash_bytes(request.model));
  std::lock_guard lock(stats_mutex_);
  if (seen_prompt_prefixes_.size() > 100000) seen_prompt_prefixes_.clear();
  if (!seen_prompt_prefixes_.insert(key).second) {
    return std::min(prompt_tokens, prefix_tokens / 128 * 128);
  }
  return 0;
}

void Simulator::handle_chat(const httplib::Request& request, httplib::Response& response) {
  const auto request_number = static_cast<std::uint64_t>(request_counter_++);
  const int concurrent = ++in_flight_;
  struct InFlight {
    std::atomic<int>& counter;
    ~InFlight() { --counter; }
  } in_flight_guard{in_flight_};
  {
    std::lock_guard lock(stats_mutex_);
    ++requests_;
    max_concurrent_requests_ = std::max(max_concurrent_requests_, concurrent);
  }

  if (!config_.api_key.empty() &&
      request.get_header_value("Authorization") != "Bearer " + config_.api_key) {
    send_error(response, {.status = 401,
                          .type = "invalid_request_error",
                          .code = "invalid_api_key",
                          .message = "Incorrect API key provided. lmsim expects the key set in "
                                     "its configuration as 'Authorization: Bearer <key>'."});
    return;
  }
  if (config_.limits.max_concurrency > 0 && concurrent > config_.limits.max_concurrency) {
    {
      std::lock_guard lock(stats_mutex_);
      ++rejected_concurrency_;
    }
    send_rate_limited(response, config_.faults.retry_after_ms,
                      "Too many concurrent requests: lmsim allows " +
                          std::to_string(config_.limits.max_concurrency) + " at a time.");
    return;
  }
  if (config_.limits.requests_per_minute > 0) {
    const auto now = std::chrono::steady_clock::now();
    double wait_ms = 0;
    {
      std::lock_guard lock(stats_mutex_);
      while (!recent_requests_.empty() &&
             now - recent_requests_.front() >= std::chrono::minutes(1)) {
        recent_requests_.pop_front();
      }
      if (static_cast<int>(recent_requests_.size()) >= config_.limits.requests_per_minute) {
        ++rejected_rpm_;
        wait_ms = std::chrono::duration<double, std::milli>(recent_requests_.front() +
                                                            std::chrono::minutes(1) - now)
                      .count();
      } else {
        recent_requests_.push_back(now);
      }
    }
    if (wait_ms > 0) {
      send_rate_limited(response, wait_ms,
                        "Rate limit reached for requests: lmsim allows " +
                            std::to_string(config_.limits.requests_per_minute) + " per minute.");
      return;
    }
  }

  auto parsed_or_error = parse_request(request.body, config_);
  if (auto* error = std::get_if<RequestError>(&parsed_or_error)) {
    send_error(response, *error);
    return;
  }
  const ParsedRequest& parsed = std::get<ParsedRequest>(parsed_or_error);
  const ModelConfig& model =
      *std::find_if(config_.models.begin(), config_.models.end(),
                    [&](const ModelConfig& m) { return m.id == parsed.model; });

  const auto fault_number = static_cast<std::uint64_t>(fault_counter_++);
  const std::string fault = choose_fault(fault_number);
  if (fault != "none") {
    std::lock_guard lock(stats_mutex_);
    ++faults_served_[fault];
  }
  if (fault == "rate_limited") {
    send_rate_limited(response, config_.faults.retry_after_ms,
                      "Rate limit reached (injected by lmsim fault configuration).");
    return;
  }
  if (fault == "server_error") {
    send_error(response, {.status = 500,
                          .type = "server_error",
                          .message = "The server had an error while processing your request "
                                     "(injected by lmsim fault configuration)."});
    return;
  }
  if (fault == "hang") {
    sleep_for(std::chrono::duration<double, std::milli>(config_.faults.hang_ms));
    send_error(response, {.status = 503,
                          .type = "server_error",
                          .message = "lmsim hang fault ended; the client should have timed out."});
    return;
  }

  // Without a seed, replies at temperature > 0 differ between identical requests.
  const std::uint64_t salt = mix64(request_number ^ hash_bytes("salt", seed_));
  Completion completion = complete(parsed, model, bank_, seed_, salt);
  if (fault == "invalid_content" && parsed.response_format != "text") {
    completion.content = "Sure! Here is the answer you asked for: " + completion.content;
  }
  if (fault == "schema_violation") completion.content = violating_content(parsed);
  Usage& usage = completion.usage;
  usage.cached_tokens = cached_prompt_tokens(parsed, usage.prompt_tokens);

  double latency_ms = draw_latency_ms(model, hash_combine(parsed.canonical_hash, request_number));
  if (model.tokens_per_second > 0) {
    latency_ms += 1000.0 * usage.completion_tokens / model.tokens_per_second;
  }
  if (!sleep_for(std::chrono::duration<double, std::milli>(latency_ms))) {
    send_error(response, {.status = 503, .type = "server_error", .message = "lmsim is stopping"});
    return;
  }

  const ordered_json body = {
      {"id", "chatcmpl-lmsim-" + hex16(hash_combine(parsed.canonical_hash, salt))},
      {"object", "chat.completion"},
      {"created", static_cast<long long>(std::time(nullptr))},
      {"model", parsed.model},
      {"system_fingerprint", "lmsim"},
      {"choices",
       {{{"index", 0},
         {"message",
          {{"role", "assistant"}, {"content", completion.content}, {"refusal", nullptr}}},
         {"logprobs", nullptr},
         {"finish_reason", completion.finish_reason}}}},
      {"usage",
       {{"prompt_tokens", usage.prompt_tokens},
        {"completion_tokens", usage.completion_tokens},
        {"total_tokens", usage.prompt_tokens + usage.completion_tokens},
        {"prompt_tokens_details", {{"cached_tokens", usage.cached_tokens}}},
        {"completion_tokens_details", {{"reasoning_tokens", usage.reasoning_tokens}}}}}};
  {
    std::lock_guard lock(stats_mutex_);
    ModelStats& s = model_stats_[parsed.model];
    ++s.calls;
    s.known_questions += completion.known_question ? 1 : 0;
    s.correct += completion.correct ? 1 : 0;
    s.prompt_tokens += usage.prompt_tokens;
    s.completion_tokens += usage.completion_tokens;
    s.reasoning_tokens += usage.reasoning_tokens;
    s.cached_tokens += usage.cached_tokens;
    s.cost_usd += (model.price.input * (usage.prompt_tokens - usage.cached_tokens) +
                   model.price.cached_input * usage.cached_tokens +
                   model.price.output * usage.completion_tokens) /
                  1e6;
    ++responses_by_status_["200"];
  }
  std::string text = body.dump();
  if (fault == "malformed_body") {
    text = text.substr(0, text.size() / 2) + "<html>lmsim malformed body</html>";
    response.set_content(text, kJson);
    return;
  }
  if (fault == "truncated_body") {
    // Announce the full length, send half, then drop the connection.
    auto shared = std::make_shared<std::string>(std::move(text));
    response.set_content_provider(shared->size(), kJson,
                                  [shared](std::size_t, std::size_t, httplib::DataSink& sink) {
                                    sink.write(shared->data(), shared->size() / 2);
                                    return false;
                                  });
    return;
  }
  response.set_content(text, kJson);
}

void Simulator::handle_models(httplib::Response& response) const {
  ordered_json data = ordered_json::array();
  for (const ModelConfig& m : config_.models) {
    data.push_back({{"id", m.id}, {"object", "model"}, {"created", 0}, {"owned_by", "lmsim"}});
  }
  response.set_content(ordered_json({{"object", "list"}, {"data", data}}).dump(), kJson);
}

void Simulator::handle_stats(httplib::Response& response) {
  ordered_json stats;
  std::lock_guard lock(stats_mutex_);
  stats["server"] = "lmsim";
  stats["seed"] = seed_;
  stats["known_questions"] = bank_.size();
  stats["requests"] = requests_;
  stats["in_flight"] = in_flight_.load();
  stats["max_concurrent_requests"] = max_concurrent_requests_;
  stats["rejected_concurrency"] = rejected_concurrency_;
  stats["rejected_rpm"] = rejected_rpm_;
  ordered_json faults = ordered_json::object();
  for (const std::string& name : fault_names()) {
    const auto it = faults_served_.find(name);
    faults[name] = it == faults_served_.end() ? 0 : it->second;
  }
  stats["faults"] = faults;
  stats["responses_by_status"] = responses_by_status_;
  ordered_json models = ordered_json::object();
  for (const ModelConfig& m : config_.models) {
    const ModelStats& s = model_stats_[m.id];
    models[m.id] = {{"calls", s.calls},
                    {"known_questions", s.known_questions},
                    {"correct", s.correct},
                    {"prompt_tokens", s.prompt_tokens},
                    {"completion_tokens", s.completion_tokens},
                    {"reasoning_tokens", s.reasoning_tokens},
                    {"cached_tokens", s.cached_tokens},
                    {"cost_usd", s.cost_usd}};
  }
  stats["models"] = models;
  response.set_content(stats.dump(), kJson);
}

}  // namespace lmsim

// The HTTP side of lmsim: OpenAI chat-completions endpoints, fault injection, concurrency and
// request-rate limits, and the /stats counters tests read to know exactly what a client did.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "completion.hpp"
#include "config.hpp"
#include "question_bank.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lmsim {

class Simulator {
 public:
  Simulator(SimulatorConfig config, QuestionBank bank, std::uint64_t seed);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds and listens (port 0 picks a free port); returns the port, or -1 on failure.
  int bind(const std::string& host, int port);
  // Serves until stop(); returns false if the server could not run, true at once when stop()
  // came first.
  bool run();
  // Safe from any thread, before or while run() serves: wakes simulated latencies and hangs,
  // then stops the server and returns once run() has returned (or will not serve).
  void stop();

 private:
  struct ModelStats {
    long long calls = 0;
    long long known_questions = 0;
    long long correct = 0;
    long long prompt_tokens = 0;
    long long completion_tokens = 0;
    long long reasoning_tokens = 0;
    long long cached_tokens = 0;
    double cost_usd = 0.0;
  };

  void handle_chat(const httplib::Request& request, httplib::Response& response);
  void handle_models(httplib::Response& response) const;
  void handle_stats(httplib::Response& response);
  void send_error(httplib::Response& response, const RequestError& error);
  void send_rate_limited(httplib::Response& response, double retry_after_ms,
                         const std::string& message);
  // Sleeps unless stop() is called first; returns false when interrupted.
  bool sleep_for(std::chrono::duration<double, std::milli> duration);
  std::string choose_fault(std::uint64_t request_number);
  double draw_latency_ms(const ModelConfig& model, std::uint64_t hash) const;
  int cached_prompt_tokens(const ParsedRequest& request, int prompt_tokens);
  void count_status(int status);

  SimulatorConfig config_;
  QuestionBank bank_;
  std::uint64_t seed_;
  std::unique_ptr<httplib::Server> server_;

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;            // guarded by stop_mutex_
  bool serving_ = false;             // run() began to serve; guarded by stop_mutex_
  std::atomic<bool> served_{false};  // run() returned

  std::atomic<long long> request_counter_{0};
  std::atomic<long long> fault_counter_{0};
  std::atomic<int> in_flight_{0};

  std::mutex stats_mutex_;  // guards everything below
  long long requests_ = 0;
  int max_concurrent_requests_ = 0;
  std::map<std::string, long long> faults_served_;
  std::map<std::string, long long> responses_by_status_;
  long long rejected_concurrency_ = 0;
  long long rejected_rpm_ = 0;
  std::map<std::string, ModelStats> model_stats_;
  std::deque<std::chrono::steady_clock::time_point> recent_requests_;
  std::unordered_set<std::uint64_t> seen_prompt_prefixes_;
};

}  // namespace lmsim

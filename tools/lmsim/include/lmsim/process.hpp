// Runs lmsim as a child process on a free loopback port, for tests and benchmarks:
//
//   lmsim::SimulatorProcess sim({.config = R"({"faults": {"script": ["server_error"]}})"});
//   ... point a client at sim.base_url() ...
//   nlohmann::json stats = sim.stats();
//
// The destructor stops it with SIGTERM. POSIX only; header only so it needs no library.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef LMSIM_BINARY
#error "LMSIM_BINARY must name the lmsim executable (link the lmsim_process CMake target)"
#endif

namespace lmsim {

struct SimulatorProcessOptions {
  std::string config{};    // JSON text of the configuration; empty = built-in models
  std::string data_dir{};  // GSM8K-style directory, optional
  std::uint64_t seed = 0;
  std::chrono::milliseconds start_timeout{15'000};
  int port = 0;  // 0: a free one; a given port restarts a simulator where its clients expect it
};

class SimulatorProcess {
 public:
  explicit SimulatorProcess(const SimulatorProcessOptions& options = {}) {
    std::vector<std::string> args = {LMSIM_BINARY,
                                     "--host",
                                     "127.0.0.1",
                                     "--port",
                                     std::to_string(options.port),
                                     "--seed",
                                     std::to_string(options.seed)};
    if (!options.config.empty()) {
      char path[] = "/tmp/lmsim-config-XXXXXX";
      const int fd = ::mkstemp(path);
      if (fd < 0) throw std::runtime_error("lmsim: cannot create a temporary config file");
      const std::string& text = options.config;
      const bool written =
          ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      ::close(fd);
      config_path_ = path;
      if (!written) throw std::runtime_error("lmsim: cannot write the temporary config file");
      args.insert(args.end(), {"--config", config_path_});
    }
    if (!options.data_dir.empty()) args.insert(args.end(), {"--data-dir", options.data_dir});

    // Everything the child needs is built before fork: it may only call exec-safe functions.
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("lmsim: pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("lmsim: fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    port_ = read_port(out[0], options.start_timeout);
    ::close(out[0]);
    if (port_ <= 0) {
      stop();
      throw std::runtime_error("lmsim did not print 'listening on http://HOST:P' in time");
    }
  }

  ~SimulatorProcess() {
    stop();
    if (!config_path_.empty()) ::unlink(config_path_.c_str());
  }
  SimulatorProcess(const SimulatorProcess&) = delete;
  SimulatorProcess& operator=(const SimulatorProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  pid_t pid() const { return pid_; }

  // SIGKILL, as a crash would: no request in flight gets its reply.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // SIGTERM, then waits; returns the exit status (-1 if killed by a signal or already stopped).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

  // GET path (e.g. "/stats") over a fresh connection; returns the body.
  std::string get(const std::string& path) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("lmsim: socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      throw std::runtime_error("lmsim: cannot connect to port " + std::to_string(port_));
    }
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
      ::close(fd);
      throw std::runtime_error("lmsim: send failed");
    }
    std::string response;
    char buffer[8192];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : response.substr(body + 4);
  }

  nlohmann::json stats() const { return nlohmann::json::parse(get("/stats")); }

 private:
  static int read_port(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string text;
    const std::string marker = "listening on http://";
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buffer[256];
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) return -1;  // lmsim exited
      text.append(buffer, static_cast<std::size_t>(n));
      const auto at = text.find(marker);
      const auto end = at == std::string::npos ? at : text.find('\n', at);
      if (end != std::string::npos) {
        const std::string line = text.substr(at, end - at);
        return std::atoi(line.substr(line.rfind(':') + 1).c_str());
      }
    }
    return -1;
  }

  pid_t pid_ = -1;
  int port_ = -1;
  int exit_status_ = -1;
  std::string config_path_;
};

}  // namespace lmsim

// Runs a program as a real child process, for tests of command-line tools.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace synalinks::testing {

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal that killed it, 0 when it exited
  std::string out;
  std::string err;
};

// A child process whose stdout and stderr go to files in `scratch`.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& scratch,
          const std::vector<std::string>& extra_env = {})
      : out_(scratch / ("out." + std::to_string(counter()))),
        err_(scratch / ("err." + std::to_string(counter()))) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = argv;
    std::vector<char*> arg_pointers;
    for (auto& arg : args) arg_pointers.push_back(arg.data());
    arg_pointers.push_back(nullptr);
    std::vector<std::string> env;
    for (char** entry = environ; *entry; ++entry) env.emplace_back(*entry);
    for (const auto& entry : extra_env) env.push_back(entry);
    std::vector<char*> env_pointers;
    for (auto& entry : env) env_pointers.push_back(entry.data());
    env_pointers.push_back(nullptr);
    const int spawned = ::posix_spawnp(&pid_, args[0].c_str(), &actions, nullptr,
                                       arg_pointers.data(), env_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void kill_hard() { ::kill(pid_, SIGKILL); }
  void send(int signal_number) { ::kill(pid_, signal_number); }
  pid_t pid() const { return pid_; }

  ProcessResult wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.out = read(out_);
    result.err = read(err_);
    return result;
  }

 private:
  static int counter() {
    static int next = 0;
    return next++;
  }
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  pid_t pid_ = -1;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

// Running, or stopped but not dead (a zombie is dead: it only waits to be reaped).
inline bool process_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() || text[close + 2] != 'Z';
}

inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const std::filesystem::path& scratch,
                                 const std::vector<std::string>& extra_env = {}) {
  Process process(argv, scratch, extra_env);
  return process.wait();
}

}  // namespace synalinks::testing

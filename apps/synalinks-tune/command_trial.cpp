// Runs a trial command as a child process: its own process group, its stdin, stdout and stderr
// pipes, its termination (stopped by the pruner, interrupted, timed out), and the hypermodel that
// turns a trial into one run of it.
#include "command_trial.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "metric_lines.hpp"
#include "synalinks/errors.hpp"

extern char** environ;

namespace synalinks::cli {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The last `count` non-empty lines of `text`, each cut to 300 characters.
std::string last_lines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (end > 0 && lines.size() < count) {
    const std::size_t newline = text.rfind('\n', end - 1);
    const std::size_t start = newline == std::string::npos ? 0 : newline + 1;
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line.size() > 300 ? line.substr(0, 297) + "..." : line);
    end = newline == std::string::npos ? 0 : newline;
  }
  std::string out;
  for (auto line = lines.rbegin(); line != lines.rend(); ++line)
    out += (out.empty() ? "" : "\n") + *line;
  return out;
}

constexpr std::size_t kStderrLinesInMessage = 10;

// The process groups of the running trial commands, for the termination signal handler: slots
// that a signal handler may read (lock-free atomics, no allocation).
constexpr std::size_t kMaxGroups = 256;
std::array<std::atomic<pid_t>, kMaxGroups> running_groups{};

void register_group(pid_t group) {
  for (auto& slot : running_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, group)) return;
  }
}

void unregister_group(pid_t group) {
  for (auto& slot : running_groups) {
    pid_t expected = group;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

// Whether a process of the group is left (a zombie not reaped yet counts).
bool group_alive(pid_t group) {
  return ::kill(-group, 0) == 0 || errno == EPERM;
}

// Reaps the processes of group `group` that ended: the command (whose wait status goes to
// `status`), and its orphans, which this process adopts (supervise_trial_commands).
void reap_group(pid_t group, int& status, bool& command_reaped) {
  int ended = 0;
  for (pid_t pid = ::waitpid(-group, &ended, WNOHANG); pid > 0;
       pid = ::waitpid(-group, &ended, WNOHANG)) {
    if (pid == group) {
      status = ended;
      command_reaped = true;
    }
  }
}

// Groups whose command ended while processes it started ran on: this process reaps them when
// they end (as their adopter), so that they do not stay zombies for the rest of the search.
std::mutex lingering_mutex;
std::vector<pid_t> lingering_groups;

void reap_lingering_groups(pid_t ended_command) {
  std::lock_guard lock(lingering_mutex);
  lingering_groups.push_back(ended_command);
  std::erase_if(lingering_groups, [](pid_t group) {
    int ignored = 0;
    bool reaped = true;
    reap_group(group, ignored, reaped);
    return !group_alive(group);
  });
}

// Stops the command `pid` and its process group: SIGTERM, then SIGKILL to whatever is left after
// `grace_seconds`. Reaps the command and returns its wait status.
int terminate_group(pid_t pid, double grace_seconds) {
  using Clock = std::chrono::steady_clock;
  ::kill(-pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(grace_seconds));
  int status = 0;
  bool reaped = false;
  while (Clock::now() < deadline) {
    reap_group(pid, status, reaped);
    if (reaped && !group_alive(pid)) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, SIGKILL);
  if (!reaped)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  // The adopted orphans die at once of SIGKILL: wait for them too.
  while (::waitpid(-pid, nullptr, 0) > 0 || errno == EINTR) {
  }
  return status;
}

// A command's stderr: written to its log file (up to kMaxStderrLogBytes) as it comes, and its
// last few KiB kept for the trial's message.
class StderrCapture {
 public:
  StderrCapture(const std::optional<std::filesystem::path>& path, bool append) {
    if (!path) return;
    log_.open(*path, append ? std::ios::app : std::ios::trunc);
    if (!log_)
      throw Error("cannot write the trial command's stderr to " + path->string() + ": " +
                  std::strerror(errno));
  }
  void add(std::string_view text) {
    tail_.append(text);
    if (tail_.size() > 2 * kTail) tail_.erase(0, tail_.size() - kTail);
    if (!log_.is_open() || logged_ >= kMaxStderrLogBytes) return;
    const std::size_t room = kMaxStderrLogBytes - logged_;
    log_.write(text.data(), static_cast<std::streamsize>(std::min(room, text.size())));
    logged_ += std::min(room, text.size());
    if (text.size() > room) log_ << "\n[stderr cut here: the log keeps its first 1 MiB]\n";
    log_.flush();
  }
  std::string tail() const {
    return tail_.size() > kTail ? tail_.substr(tail_.size() - kTail) : tail_;
  }

 private:
  static constexpr std::size_t kTail = 4096;
  std::ofstream log_;
  std::size_t logged_ = 0;
  std::string tail_;
};

}  // namespace

void supervise_trial_commands() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

void kill_trial_commands() {
  for (auto& slot : running_groups) {
    const pid_t group = slot.load();
    if (group > 0) ::kill(-group, SIGKILL);
  }
}

CommandOutcome run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::vector<std::pair<std::string, std::string>>& environment,
                           const CommandOptions& options) {
  if (argv.empty())
    throw InvalidArgument("no trial command given; expected `-- COMMAND [ARGS...]`");
  StderrCapture errors(options.stderr_log, options.append_stderr_log);
  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  int errors_of_child[2] = {-1, -1};
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0 ||
      ::pipe2(errors_of_child, O_CLOEXEC) != 0) {
    const std::string reason = std::strerror(errno);
    for (int* fds : {to_child, from_child, errors_of_child}) {
      close_fd(fds[0]);
      close_fd(fds[1]);
    }
    throw Error("cannot create pipes for the trial command: " + reason);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errors_of_child[1], STDERR_FILENO);
  // A group of its own: stopping the trial stops the processes it started too.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The command starts as if from a shell: signals unblocked and at their default actions
  // (this process ignores SIGPIPE, and may have been started with SIGTERM ignored or blocked;
  // a command inheriting that would outlive the SIGTERM that stops it).
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  for (const int signal : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    sigaddset(&default_signals, signal);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);

  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    const std::string text(*entry);
    bool overridden = false;
    for (const auto& [name, value] : environment)
      if (text.starts_with(name + "=")) overridden = true;
    if (!overridden) env_strings.push_back(text);
  }
  for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> env_pointers;
  for (auto& text : env_strings) env_pointers.push_back(text.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (auto& arg : args) arg_pointers.push_back(arg.data());
  arg_pointers.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0].c_str(), &actions, &attributes,
                                     arg_pointers.data(), env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close_fd(to_child[0]);
  close_fd(from_child[1]);
  close_fd(errors_of_child[1]);
  if (spawned != 0) {
    close_fd(to_child[1]);
    close_fd(from_child[0]);
    close_fd(errors_of_child[0]);
    throw InvalidArgument("cannot start the trial command '" + argv[0] +
                          "': " + std::strerror(spawned));
  }
  register_group(pid);

  // The input is a small JSON object: write it all, then read the output to its end.
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(to_child[1], input.data() + written, input.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // the command does not read its stdin (EPIPE): that is its right
    }
    written += static_cast<std::size_t>(n);
  }
  close_fd(to_child[1]);

  CommandOutcome outcome;
  std::exception_ptr failure;
  bool stop = false;
  std::string pending;  // the line being received
  const auto take_line = [&](const std::string& line) {
    try {
      stop = options.on_line(line);
    } catch (...) {
      failure = std::current_exception();
      stop = true;
    }
  };
  // Both pipes are read as data comes (a command blocked on a full stderr pipe would never
  // finish its stdout), with a short timeout so that an interrupt is seen within ~50 ms.
  char buffer[4096];
  int out_fd = from_child[0];
  int err_fd = errors_of_child[0];
  const auto interrupted = [&] { return options.interrupt.stop_requested(); };
  while (!stop && (out_fd >= 0 || err_fd >= 0)) {
    if (interrupted()) {
      outcome.interrupted = true;
      break;
    }
    std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    const int ready = ::poll(fds.data(), fds.size(), 50);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (err_fd >= 0 && fds[1].revents != 0) {
      const ssize_t n = ::read(err_fd, buffer, sizeof buffer);
      if (n > 0)
        errors.add(std::string_view(buffer, static_cast<std::size_t>(n)));
      else if (n == 0 || errno != EINTR)
        close_fd(err_fd);
    }
    if (out_fd >= 0 && fds[0].revents != 0) {
      const ssize_t n = ::read(out_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close_fd(out_fd);
        continue;
      }
      outcome.output.append(buffer, static_cast<std::size_t>(n));
      if (!options.on_line) continue;
      pending.append(buffer, static_cast<std::size_t>(n));
      for (std::size_t end = pending.find('\n'); !stop && end != std::string::npos;
           end = pending.find('\n')) {
        const std::string line = pending.substr(0, end);
        pending.erase(0, end + 1);
        take_line(line);
      }
    }
  }
  if (!stop && !outcome.interrupted && options.on_line && !pending.empty()) take_line(pending);
  close_fd(from_child[0]);
  close_fd(errors_of_child[0]);

  // The command may outlive its pipes (closed them, or left them to a child).
  int status = 0;
  bool reaped = false;
  while (!stop && !outcome.interrupted) {
    const pid_t ended = ::waitpid(pid, &status, WNOHANG);
    if (ended == pid || (ended < 0 && errno != EINTR)) {
      reaped = true;
      break;
    }
    if (interrupted()) {
      outcome.interrupted = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!reaped) {
    status = terminate_group(pid, options.kill_grace_seconds);
    outcome.stopped = stop;
  }
  outcome.stderr_tail = errors.tail();
  unregister_group(pid);
  reap_lingering_groups(pid);
  if (failure) std::rethrow_exception(failure);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  return outcome;
}

tuners::Tuner::HyperModel command_hypermodel(std::vector<std::string> argv,
                                             std::string objective_name,
                                             double kill_grace_seconds) {
  return [argv = std::move(argv), objective_name = std::move(objective_name), kill_grace_seconds](
             HyperParameters& hp, tuners::TrialContext& context) -> tuners::TrialResult {
    std::filesystem::create_directories(context.trial_dir);
    const std::string values = hp.values().to_json().dump();
    std::vector<std::pair<std::string, std::string>> environment = {
        {"SYNALINKS_TRIAL_HP", values},
        {"SYNALINKS_TRIAL_ID", context.trial.trial_id},
        {"SYNALINKS_TRIAL_DIR", context.trial_dir.string()}};
    if (context.epochs) {
      environment.emplace_back("SYNALINKS_TRIAL_EPOCHS", std::to_string(*context.epochs));
      environment.emplace_back("SYNALINKS_TRIAL_INITIAL_EPOCH",
                               std::to_string(context.initial_epoch));
    }
    if (context.parent_trial_dir)
      environment.emplace_back("SYNALINKS_PARENT_TRIAL_DIR", context.parent_trial_dir->string());
    std::optional<tuners::Metrics> last_step_metrics;
    const std::filesystem::path stderr_log = context.trial_dir / "stderr.log";
    const CommandOptions options{.on_line =
                                     [&](const std::string& line) {
                                       auto step = parse_step_line(line, objective_name);
                                       if (!step) return false;
                                       context.report(step->step, step->metrics);
                                       last_step_metrics = std::move(step->metrics);
                                       return context.should_stop();
                                     },
                                 .kill_grace_seconds = kill_grace_seconds,
                                 .interrupt = context.interrupt_token,
                                 .stderr_log = stderr_log,
                                 .append_stderr_log = context.execution > 0};
    const auto outcome = run_command(argv, values + "\n", environment, options);
    if (outcome.interrupted)
      throw Interrupted(fmt::format(
          "the trial command was terminated (SIGTERM to its process group, SIGKILL after {} s)",
          kill_grace_seconds));
    // Stopped by the pruner: what it measured until then (however the command ended).
    if (context.should_stop() && last_step_metrics) return *last_step_metrics;
    const auto explained = [&](std::string what) {
      const std::string lines = last_lines(outcome.stderr_tail, kStderrLinesInMessage);
      if (lines.empty()) return what + "; it printed nothing on stderr";
      return what + "; the end of its stderr (all of it in " + stderr_log.string() + "):\n" + lines;
    };
    if (outcome.signal != 0)
      throw std::runtime_error(explained("the trial command was killed by signal " +
                                         std::to_string(outcome.signal) + " (" +
                                         strsignal(outcome.signal) + ")"));
    if (outcome.exit_code != 0)
      throw std::runtime_error(explained("the trial command exited with status " +
                                         std::to_string(outcome.exit_code) + "; expected 0"));
    if (auto step = parse_step_line(last_non_empty_line(outcome.output), objective_name))
      return step->metrics;
    tuners::Metrics metrics = parse_metrics_line(outcome.output, objective_name);
    context.sample_scores = parse_sample_scores_line(outcome.output, objective_name);
    return metrics;
  };
}

}  // namespace synalinks::cli

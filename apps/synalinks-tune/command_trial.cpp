#include "command_trial.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "synalinks/errors.hpp"

extern char** environ;

namespace synalinks::cli {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string last_non_empty_line(const std::string& text) {
  std::size_t end = text.size();
  while (end > 0) {
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
      --end;
    const std::size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
    const std::size_t start = begin == std::string::npos ? 0 : begin + 1;
    std::string line = text.substr(start, end - start);
    if (!line.empty()) return line;
    end = start;
  }
  return {};
}

}  // namespace

CommandOutcome run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::vector<std::pair<std::string, std::string>>& environment) {
  if (argv.empty())
    throw InvalidArgument("no trial command given; expected `-- COMMAND [ARGS...]`");
  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw Error(std::string("cannot create pipes for the trial command: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);

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
  const int spawned = ::posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, arg_pointers.data(),
                                     env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  close_fd(to_child[0]);
  close_fd(from_child[1]);
  if (spawned != 0) {
    close_fd(to_child[1]);
    close_fd(from_child[0]);
    throw InvalidArgument("cannot start the trial command '" + argv[0] +
                          "': " + std::strerror(spawned));
  }

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
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(from_child[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    outcome.output.append(buffer, static_cast<std::size_t>(n));
  }
  close_fd(from_child[0]);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  return outcome;
}

tuners::Metrics parse_metrics_line(const std::string& output, const std::string& objective_name) {
  const std::string line = last_non_empty_line(output);
  if (line.empty())
    throw std::runtime_error(
        "the trial command printed nothing; expected its metrics as a JSON object on the last line "
        "of stdout");
  Json parsed;
  try {
    parsed = Json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    throw std::runtime_error("the last line of the trial command's stdout is not JSON: '" + line +
                             "'; expected an object of metrics such as {\"loss\": 0.25}");
  }
  tuners::Metrics metrics;
  if (parsed.is_number()) {
    metrics[objective_name] = parsed.get<double>();
    return metrics;
  }
  if (!parsed.is_object())
    throw std::runtime_error("the last line of the trial command's stdout is " + line +
                             "; expected an object of metrics such as {\"loss\": 0.25}");
  for (const auto& [name, value] : parsed.items()) {
    if (value.is_number() && !value.is_boolean()) {
      metrics[name] = value.get<double>();
    } else if (value.is_null()) {
      metrics[name] = std::nan("");
    } else {
      throw std::runtime_error("metric '" + name + "' printed by the trial command is " +
                               value.dump() + "; expected a number");
    }
  }
  return metrics;
}

tuners::Tuner::HyperModel command_hypermodel(std::vector<std::string> argv,
                                             std::string objective_name) {
  return [argv = std::move(argv), objective_name = std::move(objective_name)](
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
    const auto outcome = run_command(argv, values + "\n", environment);
    if (outcome.signal != 0)
      throw std::runtime_error("the trial command was killed by signal " +
                               std::to_string(outcome.signal) + " (" + strsignal(outcome.signal) +
                               ")");
    if (outcome.exit_code != 0)
      throw std::runtime_error("the trial command exited with status " +
                               std::to_string(outcome.exit_code) + "; expected 0");
    return parse_metrics_line(outcome.output, objective_name);
  };
}

}  // namespace synalinks::cli

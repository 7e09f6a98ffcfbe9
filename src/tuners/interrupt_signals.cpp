#include "synalinks/tuners/interrupt_signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};

// What the handler may touch: lock-free atomics and a pipe (write(2) is async-signal-safe).
std::atomic<int> received_count{0};
std::atomic<int> first_signal{0};
std::atomic<int> wake_fd{-1};
std::atomic<void (*)()> second_signal_hook{nullptr};
std::atomic<bool> installed{false};

constexpr char kSignalled = 1;
constexpr char kQuit = 0;

extern "C" void on_interrupt_signal(int signal_number) {
  const int saved_errno = errno;
  if (received_count.fetch_add(1) == 0) {
    first_signal.store(signal_number);
    const int fd = wake_fd.load();
    if (fd >= 0) {
      const char byte = kSignalled;
      [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
    }
  } else {
    if (auto* hook = second_signal_hook.load()) hook();
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
  }
  errno = saved_errno;
}

const char* name_of(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "";
  }
}

}  // namespace

// The thread that turns the handler's byte into request_stop() (which may lock: not for a
// signal handler), and the handlers it replaced.
struct InterruptSignals::Watcher {
  int pipe_fds[2] = {-1, -1};
  std::array<struct sigaction, kSignals.size()> previous{};
  std::thread thread;
};

InterruptSignals::InterruptSignals(InterruptSignalsOptions options) {
  if (installed.exchange(true))
    throw InvalidArgument(
        "an InterruptSignals is already installed in this process; expected one at a time (use "
        "its token() for every search)");
  auto watcher = std::make_unique<Watcher>();
  if (::pipe2(watcher->pipe_fds, O_CLOEXEC) != 0) {
    const std::string reason = std::strerror(errno);
    installed = false;
    throw Error("cannot create the pipe that carries interrupt signals: " + reason);
  }
  received_count = 0;
  first_signal = 0;
  second_signal_hook = options.on_second_signal;
  wake_fd = watcher->pipe_fds[1];
  watcher->thread =
      std::thread([this, read_fd = watcher->pipe_fds[0], announce = options.announce] {
        for (;;) {
          char byte = kQuit;
          const ssize_t n = ::read(read_fd, &byte, 1);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0 || byte == kQuit) return;
          if (announce)
            std::cerr << "\n"
                      << name_of(first_signal.load())
                      << " received: no new trial starts; the running trials are being interrupted "
                         "and will run again when the search is resumed. Send it again to exit at "
                         "once.\n"
                      << std::flush;
          source_.request_stop();
        }
      });
  struct sigaction action {};
  action.sa_handler = on_interrupt_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (std::size_t k = 0; k < kSignals.size(); ++k)
    ::sigaction(kSignals[k], &action, &watcher->previous[k]);
  watcher_ = std::move(watcher);
}

InterruptSignals::~InterruptSignals() {
  for (std::size_t k = 0; k < kSignals.size(); ++k)
    ::sigaction(kSignals[k], &watcher_->previous[k], nullptr);
  wake_fd = -1;
  second_signal_hook = nullptr;
  const char quit = kQuit;
  [[maybe_unused]] const ssize_t n = ::write(watcher_->pipe_fds[1], &quit, 1);
  watcher_->thread.join();
  ::close(watcher_->pipe_fds[0]);
  ::close(watcher_->pipe_fds[1]);
  installed = false;
}

int InterruptSignals::signal_number() const {
  return first_signal.load();
}

int InterruptSignals::exit_code() const {
  const int number = signal_number();
  return number == 0 ? 0 : 128 + number;
}

std::string InterruptSignals::signal_name() const {
  return name_of(signal_number());
}

}  // namespace synalinks::tuners

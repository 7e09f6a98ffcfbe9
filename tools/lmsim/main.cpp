// lmsim: a language-model simulator speaking the OpenAI chat-completions protocol on loopback.
// It is not a model: it answers known questions correctly with a configured probability and
// everything else with schema-valid filler, so tests, demos and benchmarks run offline.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "config.hpp"
#include "question_bank.hpp"
#include "simulator.hpp"

namespace {

constexpr const char* kUsage =
    "usage: lmsim [--host HOST] [--port P] [--config FILE] [--data-dir DIR] [--seed S]\n"
    "\n"
    "lmsim is a language-model SIMULATOR for tests, demos and benchmarks; it is not a model.\n"
    "  --host HOST     address to listen on (default 127.0.0.1)\n"
    "  --port P        port; 0 picks a free one (default 0)\n"
    "  --config FILE   JSON configuration (models, faults, limits); built-in models otherwise\n"
    "  --data-dir DIR  directory with GSM8K-style train.jsonl / test.jsonl to recognize\n"
    "  --seed S        seed of every simulated draw (default 0)\n"
    "Prints 'listening on http://HOST:P' once it accepts connections; stops on SIGTERM.\n";

struct Arguments {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string config;
  std::string data_dir;
  std::uint64_t seed = 0;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "lmsim: " << message << "\n" << kUsage;
  std::exit(2);
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) usage_error("missing value after " + flag);
    const std::string value = argv[++i];
    try {
      if (flag == "--host") {
        args.host = value;
      } else if (flag == "--port") {
        args.port = std::stoi(value);
        if (args.port < 0 || args.port > 65535) usage_error("--port must be in [0, 65535]");
      } else if (flag == "--config") {
        args.config = value;
      } else if (flag == "--data-dir") {
        args.data_dir = value;
      } else if (flag == "--seed") {
        args.seed = std::stoull(value);
      } else {
        usage_error("unknown option " + flag);
      }
    } catch (const std::logic_error&) {
      usage_error("invalid number '" + value + "' for " + flag);
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse_arguments(argc, argv);

  // Block the stop signals before any thread starts so only the waiter below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hung up must not kill the server

  lmsim::SimulatorConfig config;
  lmsim::QuestionBank bank;
  try {
    config = args.config.empty() ? lmsim::builtin_config() : lmsim::load_config(args.config);
    if (!args.data_dir.empty()) bank.load_directory(args.data_dir);
    for (const std::string& file : config.data_files) bank.load_jsonl(file);
  } catch (const std::exception& e) {
    std::cerr << "lmsim: " << e.what() << "\n";
    return 2;
  }

  lmsim::Simulator simulator(std::move(config), std::move(bank), args.seed);
  const int port = simulator.bind(args.host, args.port);
  if (port < 0) {
    std::cerr << "lmsim: cannot listen on " << args.host << ":" << args.port << "\n";
    return 1;
  }
  std::thread signal_waiter([&simulator, stop_signals] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    simulator.stop();
  });
  std::cout << "listening on http://" << args.host << ":" << port << std::endl;
  const bool served = simulator.run();
  // run() also returns when the server fails; wake the waiter so it can be joined.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  return served ? 0 : 1;
}

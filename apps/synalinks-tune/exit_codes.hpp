// synalinks-tune's exit codes: scripts driving a search tell a failed search from a bad command
// line or an unusable project by them, so they are documented in --help and the README.
#pragma once

#include <exception>

namespace synalinks::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSearchFailed = 1;  // too many failed trials, or a trial asked to stop
inline constexpr int kExitUsage = 2;         // bad arguments or a bad search-space file
inline constexpr int kExitProject = 3;  // the project cannot be used (corrupt, locked, mismatch)

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success; 1 the search stopped (too many failed trials, or a fatal error); "
    "2 bad arguments or search-space file; 3 the project cannot be used (corrupt or truncated "
    "file, held by another process, made by another tuner); 130, 143, 129 the search was "
    "interrupted by SIGINT, SIGTERM or SIGHUP (run the same command again to resume it).";

// The exit code documented for an error escaping a subcommand.
int exit_code_for(const std::exception& error);

}  // namespace synalinks::cli

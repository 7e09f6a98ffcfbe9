// Where a project's trials are kept, from the command line: the project folder (--directory,
// --project-name) or a SQL storage (--storage, --study). Every subcommand takes these options.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "synalinks/storage/storage.hpp"
#include "synalinks/tuners/oracle.hpp"

namespace synalinks::cli {

struct ProjectArgs {
  std::string directory = ".";
  std::string project_name = "untitled_project";
  // A SQL storage instead of the project folder (the folder still holds trial artifacts).
  std::string storage_url;
  std::string study;
  std::string storage_schema = "v3.2.0.a";
  double heartbeat_interval = 10;
  double grace_period = 0;
  double max_disconnected = 60;
};

void add_project_options(CLI::App& command, ProjectArgs& args);

std::filesystem::path project_path(const ProjectArgs& args);

// The SQL storage named on the command line; null without --storage.
std::shared_ptr<storage::Storage> open_sql_storage(const ProjectArgs& args, bool heartbeats);

// What the project or study holds, from the folder or the SQL storage.
std::optional<storage::Snapshot> read_saved(const ProjectArgs& args,
                                            const std::shared_ptr<storage::Storage>& sql);

// Loads a project for reading, whatever tuner made it.
std::unique_ptr<tuners::Oracle> read_project(const ProjectArgs& project);

// Where a project's trials are, as messages may show it (a password redacted).
std::string project_description(const ProjectArgs& project);

}  // namespace synalinks::cli

// The project options of every subcommand, and opening the project or study they name.
#include "project_args.hpp"

#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/make_oracle.hpp"

namespace synalinks::cli {

namespace fs = std::filesystem;

void add_project_options(CLI::App& command, ProjectArgs& args) {
  command.add_option("--directory", args.directory, "Folder holding the project")
      ->capture_default_str();
  command.add_option("--project-name", args.project_name, "Project folder name inside --directory")
      ->capture_default_str();
  command.add_option("--storage", args.storage_url,
                     "SQL storage in Optuna's schema instead of the project folder: "
                     "sqlite:///path.db or postgresql://user@host:port/db (several workers may "
                     "share it)");
  command.add_option("--study", args.study, "Study name in --storage (default: --project-name)");
  command
      .add_option("--storage-schema", args.storage_schema,
                  "Optuna schema revision of a new database: v3.2.0.a, or v3.0.0.d for Optuna "
                  "3.0 and 3.1")
      ->check(CLI::IsMember({"v3.2.0.a", "v3.0.0.d"}))
      ->capture_default_str();
  command
      .add_option("--heartbeat-interval", args.heartbeat_interval,
                  "Seconds between heartbeats of a running trial (SQL storage)")
      ->capture_default_str();
  command.add_option("--grace-period", args.grace_period,
                     "Seconds without heartbeat after which a running trial is failed and run "
                     "again (0: 3 x the interval)");
  command
      .add_option("--max-disconnected", args.max_disconnected,
                  "Seconds to keep retrying an unreachable database before stopping (SQL storage)")
      ->capture_default_str();
}

std::shared_ptr<storage::Storage> open_sql_storage(const ProjectArgs& args, bool heartbeats) {
  if (args.storage_url.empty()) return nullptr;
  return storage::open_storage(
      args.storage_url, {.study_name = args.study.empty() ? args.project_name : args.study,
                         .schema = storage::schema_revision_from_string(args.storage_schema),
                         .heartbeat_interval_seconds = heartbeats ? args.heartbeat_interval : 0,
                         .grace_period_seconds = args.grace_period,
                         .max_disconnected_seconds = args.max_disconnected});
}

fs::path project_path(const ProjectArgs& args) {
  return fs::path(args.directory) / args.project_name;
}

std::optional<storage::Snapshot> read_saved(const ProjectArgs& args,
                                            const std::shared_ptr<storage::Storage>& sql) {
  if (sql) return sql->load();
  return storage::ProjectDirectory::read(project_path(args));
}

std::unique_ptr<tuners::Oracle> read_project(const ProjectArgs& project) {
  const fs::path path = project_path(project);
  const auto sql = open_sql_storage(project, /*heartbeats=*/false);
  auto snapshot = read_saved(project, sql);
  if (!snapshot)
    throw ProjectError("no project at " + (sql ? sql->describe() : path.string()) +
                       " (no oracle state there)");
  try {
    const auto oracle_class = snapshot->oracle_state.at("oracle_class").get<std::string>();
    auto objective = tuners::Objectives::from_json(snapshot->oracle_state.at("objective"));
    auto oracle = tuners::make_oracle(oracle_class, {.objective = objective, .max_trials = 0});
    oracle->restore(std::move(*snapshot), path.string());
    return oracle;
  } catch (const nlohmann::json::exception& error) {
    throw ProjectError((path / "oracle.json").string() + " lacks a field (" + error.what() +
                       "); expected the oracle.json that synalinks writes");
  } catch (const InvalidArgument& error) {
    throw ProjectError((path / "oracle.json").string() + ": " + error.what());
  }
}

std::string project_description(const ProjectArgs& project) {
  return project.storage_url.empty()
             ? project_path(project).string()
             : storage::redact_secrets(project.storage_url) + " (study '" +
                   (project.study.empty() ? project.project_name : project.study) + "')";
}

}  // namespace synalinks::cli

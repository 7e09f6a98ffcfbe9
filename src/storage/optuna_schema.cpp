#include "storage/optuna_schema.hpp"

#include <fmt/format.h>

namespace synalinks::storage::detail {
namespace {

// Column types and key syntax differ; the tables, columns and constraints are Optuna's.
struct Types {
  const char* id;  // an auto-increment integer primary key
  const char* datetime;
  const char* floating;
  const char* study_direction;
  const char* trial_state;
  const char* value_type;
  const char* intermediate_value_type;
};

constexpr Types kSqlite{"INTEGER NOT NULL PRIMARY KEY",
                        "DATETIME",
                        "FLOAT",
                        "VARCHAR(8)",
                        "VARCHAR(8)",
                        "VARCHAR(7)",
                        "VARCHAR(7)"};
constexpr Types kPostgres{"SERIAL PRIMARY KEY",
                          "TIMESTAMP WITHOUT TIME ZONE",
                          "DOUBLE PRECISION",
                          "studydirection",
                          "trialstate",
                          "trialvaluetype",
                          "trialintermediatevaluetype"};

}  // namespace

std::string optuna_schema(Dialect dialect, SchemaRevision revision) {
  const Types& t = dialect == Dialect::sqlite ? kSqlite : kPostgres;
  std::string ddl;
  if (dialect == Dialect::postgresql) {
    // SQLAlchemy's Enum columns are native enum types on PostgreSQL.
    ddl +=
        "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE');"
        "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING');"
        "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG');"
        "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN');";
  }
  ddl += fmt::format(
      "CREATE TABLE studies (study_id {id}, study_name VARCHAR(512) NOT NULL);"
      "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name);"
      "CREATE TABLE version_info (version_info_id INTEGER NOT NULL PRIMARY KEY, "
      "schema_version INTEGER, library_version VARCHAR(256), CHECK (version_info_id = 1));"
      "CREATE TABLE study_directions (study_direction_id {id}, direction {dir} NOT NULL, "
      "study_id INTEGER NOT NULL REFERENCES studies (study_id), objective INTEGER NOT NULL, "
      "UNIQUE (study_id, objective));"
      "CREATE TABLE study_user_attributes (study_user_attribute_id {id}, "
      "study_id INTEGER REFERENCES studies (study_id), key VARCHAR(512), value_json TEXT, "
      "UNIQUE (study_id, key));"
      "CREATE TABLE study_system_attributes (study_system_attribute_id {id}, "
      "study_id INTEGER REFERENCES studies (study_id), key VARCHAR(512), value_json TEXT, "
      "UNIQUE (study_id, key));"
      "CREATE TABLE trials (trial_id {id}, number INTEGER, "
      "study_id INTEGER REFERENCES studies (study_id), state {state} NOT NULL, "
      "datetime_start {dt}, datetime_complete {dt});"
      "CREATE TABLE trial_user_attributes (trial_user_attribute_id {id}, "
      "trial_id INTEGER REFERENCES trials (trial_id), key VARCHAR(512), value_json TEXT, "
      "UNIQUE (trial_id, key));"
      "CREATE TABLE trial_system_attributes (trial_system_attribute_id {id}, "
      "trial_id INTEGER REFERENCES trials (trial_id), key VARCHAR(512), value_json TEXT, "
      "UNIQUE (trial_id, key));"
      "CREATE TABLE trial_params (param_id {id}, trial_id INTEGER REFERENCES trials (trial_id), "
      "param_name VARCHAR(512), param_value {float}, distribution_json TEXT, "
      "UNIQUE (trial_id, param_name));"
      "CREATE TABLE trial_values (trial_value_id {id}, "
      "trial_id INTEGER NOT NULL REFERENCES trials (trial_id), objective INTEGER NOT NULL, "
      "value {float}, value_type {vt} NOT NULL, UNIQUE (trial_id, objective));"
      "CREATE TABLE trial_intermediate_values (trial_intermediate_value_id {id}, "
      "trial_id INTEGER NOT NULL REFERENCES trials (trial_id), step INTEGER NOT NULL, "
      "intermediate_value {float}, intermediate_value_type {ivt} NOT NULL, "
      "UNIQUE (trial_id, step));"
      "CREATE TABLE trial_heartbeats (trial_heartbeat_id {id}, "
      "trial_id INTEGER NOT NULL REFERENCES trials (trial_id), heartbeat {dt} NOT NULL, "
      "UNIQUE (trial_id));"
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
      "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));",
      fmt::arg("id", t.id), fmt::arg("dir", t.study_direction), fmt::arg("state", t.trial_state),
      fmt::arg("dt", t.datetime), fmt::arg("float", t.floating), fmt::arg("vt", t.value_type),
      fmt::arg("ivt", t.intermediate_value_type));
  // v3.2.0.a only adds an index on trials.study_id.
  if (revision == SchemaRevision::v3_2_0_a)
    ddl += "CREATE INDEX trials_study_id_key ON trials (study_id);";
  // Optuna compares the alembic revision with its own head; version_info names the release
  // whose layout this is, for its error messages.
  ddl += fmt::format(
      "INSERT INTO alembic_version (version_num) VALUES ('{}');"
      "INSERT INTO version_info (version_info_id, schema_version, library_version) "
      "VALUES (1, 12, '{}');",
      to_string(revision), revision == SchemaRevision::v3_2_0_a ? "3.2.0" : "3.1.0");
  return ddl;
}

}  // namespace synalinks::storage::detail

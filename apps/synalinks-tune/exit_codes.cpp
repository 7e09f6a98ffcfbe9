// Maps the errors escaping a subcommand to the documented exit codes.
#include "exit_codes.hpp"

#include "synalinks/errors.hpp"

namespace synalinks::cli {

int exit_code_for(const std::exception& error) {
  if (dynamic_cast<const ProjectError*>(&error)) return kExitProject;
  if (dynamic_cast<const InvalidArgument*>(&error) || dynamic_cast<const ObjectiveError*>(&error) ||
      dynamic_cast<const NotFound*>(&error))
    return kExitUsage;
  return kExitSearchFailed;
}

}  // namespace synalinks::cli

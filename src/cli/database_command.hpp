// `kalends backup`, `kalends restore` and `kalends check` (issue 29 §2; man/kalends.8).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "src/config/config.hpp"

namespace server {

/// Runs `command` ("backup", "restore" or "check") with its positional
/// arguments on the database of `config`. Returns the exit status: 0 done
/// (check: clean), 1 with the reasons on `err` (check: the problems found,
/// one a line, on `out`), 2 for wrong arguments.
int run_database_command(const std::string& command, const std::vector<std::string>& args, const Config& config,
                         std::ostream& out, std::ostream& err);

}  // namespace server

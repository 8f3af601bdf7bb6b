// `kalends ics ...`: iCalendar debugging subcommands (validate, expand).
#pragma once
#include <string>
#include <vector>

namespace server {

/// Runs `kalends ics ARGS...` (ARGS excludes "ics"); returns the exit status.
int run_ics_command(const std::vector<std::string>& args);

}  // namespace server

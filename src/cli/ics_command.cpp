// `kalends ics ...` (placeholder until the iCalendar engine lands, issue 3).
#include "src/cli/ics_command.hpp"

#include <iostream>

namespace server {

int run_ics_command(const std::vector<std::string>&) {
    std::cerr << "kalends ics: not available in this build\n";
    return 2;
}

}  // namespace server

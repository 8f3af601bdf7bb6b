// Error values returned by the iCalendar layer (no exceptions cross ical/).
#pragma once
#include <string>

namespace ical {

/// What went wrong, as a value: a code, a human message and the 1-based line
/// of the input where it was found (0 when not tied to a line).
struct Error {
    std::string message;
    int line = 0;
};

}  // namespace ical

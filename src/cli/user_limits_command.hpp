// `kalends user limits NAME`: the storage quota and the calendar and object
// counts of one user, in place of kalends.conf [limits] (issue 29 §6;
// man/kalends.8).
#pragma once
#include <optional>
#include <ostream>
#include <string>

#include "caldav/limits.hpp"
#include "src/storage/backend.hpp"

namespace server {

/// What the command line asks to change; each field: nullopt leaves it,
/// "default" returns it to the server's setting, else a count (the quota
/// in bytes, with an optional K, M, G or T suffix for powers of 1024).
struct UserLimitsChange {
    std::optional<std::string> quota;
    std::optional<std::string> max_calendars;
    std::optional<std::string> max_objects_per_calendar;
};

/// Applies `change` to user `name`'s limits (none asked: changes nothing),
/// then prints each limit that applies to them, one a line, tab-separated:
/// setting, value, and "user" (set for them) or "server" (kalends.conf);
/// then the bytes they use. Returns 0; a value that is no count prints
/// an error on `err` and returns 2, an unknown user or a failed write 1.
int user_limits(Backend& store, const caldav::Limits& server_limits, const std::string& name,
                const UserLimitsChange& change, std::ostream& out, std::ostream& err);

}  // namespace server

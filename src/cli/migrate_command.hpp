// `kalends import USER --from URL` and `kalends import USER --from-radicale DIR`:
// every calendar of a user moved from another CalDAV server, or from a
// Radicale storage folder on disk, with its properties (issue 29 §4;
// man/kalends.8). The objects go through import_collection, as in
// `kalends import USER FILE.ics`.
#pragma once
#include <ostream>
#include <string>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"

namespace server {

/// What to migrate and how.
struct MigrateOptions {
    std::string user;          ///< the Kalends account that receives the calendars
    std::string from_url;      ///< a CalDAV server (root, principal or calendar home URL), or empty
    std::string radicale_dir;  ///< a Radicale storage folder (or its collection-root), or empty
    std::string remote_user;   ///< login on `from_url`; empty: none
    std::string password;      ///< its password
    bool merge = false;        ///< add to calendars of the same name that hold objects
    bool progress = false;     ///< redraw a progress line on `err`
};

/// The environment variable read for the remote password when no
/// --password-file is given.
inline constexpr const char* migrate_password_variable = "KALENDS_IMPORT_PASSWORD";

/// The password in the first line of `file` (its line end removed); empty
/// with `error` set when the file cannot be read or the line is empty.
std::string read_password_file(const std::string& file, std::string& error);

/// Copies every calendar of `o.from_url` or `o.radicale_dir` into the
/// account `o.user`, one summary per calendar on `out`. A calendar that
/// cannot be imported (the name is taken, see import_collection) does not
/// stop the others. Returns 0 when every calendar was imported, 1 otherwise
/// (the reasons on `err`).
int migrate_calendars(caldav::Store& store, const caldav::Limits& limits, const MigrateOptions& o,
                      std::ostream& out, std::ostream& err);

}  // namespace server

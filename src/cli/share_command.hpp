// `kalends share`, `kalends share list` and `kalends unshare`: calendars
// shared with other users from the command line (issue 25 §9; man/kalends.8).
#pragma once
#include <ostream>
#include <string>

#include "caldav/imip.hpp"
#include "caldav/store.hpp"

namespace server {

/// Shares calendar `target` ("OWNER/CALENDAR") with user `user` for
/// `permission` ("view", "edit", "admin" or "free-busy"), replacing the
/// permission they had. Returns the exit status: 0 done, 1 with a message
/// on `err` (bad target or permission, no such owner, calendar or user, the
/// owner themself, database busy or full). With `imip` (an [smtp] relay is
/// configured), a new sharee, or one whose permission changed, is told by
/// the same e-mail a share over CalDAV or the JSON API queues
/// (caldav::mail_share_notice); the server's mail worker sends it.
int share_add(caldav::Store& store, const std::string& target, const std::string& user,
              const std::string& permission, std::ostream& out, std::ostream& err,
              caldav::ImipGateway* imip = nullptr);

/// Prints the grants on `target` ("OWNER/CALENDAR"), or on every calendar of
/// "OWNER", one a line: OWNER/CALENDAR, user, permission, tab-separated,
/// by calendar then user.
int share_list(caldav::Store& store, const std::string& target, std::ostream& out, std::ostream& err);

/// Removes the grant of `user` on `target` ("OWNER/CALENDAR"); their access
/// ends with the next request.
int share_remove(caldav::Store& store, const std::string& target, const std::string& user, std::ostream& out,
                 std::ostream& err);

}  // namespace server

// The e-mail telling a user a calendar was shared with them (issue 25 §9):
// a short plain-text message on GMime 3 with the calendar's name, its owner,
// the permission and a link, sent through the mail queue.
#pragma once
#include <string>

namespace server {

/// What the message says; every field plain text.
struct ShareMailContent {
    std::string server_from;  ///< the configured sender, "Name <addr>" or "addr"
    std::string recipient;    ///< bare address
    std::string owner;        ///< the owner's name as shown, e.g. "Alice Example"
    std::string owner_email;  ///< may be empty
    std::string calendar;     ///< the calendar's display name
    std::string permission;   ///< "view", "edit", "admin" or "free-busy"
    std::string link;         ///< where to open it (the CalDAV URL); may be empty
};

/// The RFC 5322 message: From the server (Reply-To the owner when they have
/// an address), To the sharee, Subject "OWNER shared the calendar
/// CALENDAR with you", a text/plain body saying what the permission allows,
/// Auto-Submitted: auto-generated (RFC 3834 §5). CRLF line endings; header
/// values folded onto one line (no header injection). Never throws.
std::string compose_share_message(const ShareMailContent& content);

/// What a permission lets the sharee do, in a few words for the message.
std::string permission_words(const std::string& permission);

}  // namespace server

// The reminder e-mail (issue 26 §4): a short message about an event that is
// about to begin, plain text and HTML on GMime 3, marked as automatic
// (RFC 3834 Auto-Submitted) so that vacation responders stay silent.
#pragma once
#include <string>

namespace server {

/// What a reminder says; every field already in the recipient's terms.
struct ReminderMailContent {
    std::string server_from;  ///< the configured sender, "Name <addr>" or "addr"
    std::string recipient;    ///< bare address
    std::string title;        ///< the event's SUMMARY; empty: "(no title)"
    std::string when;         ///< the start in the recipient's zone, e.g. "Mon 7 Dec 2026, 08:45 (America/New_York)"
    std::string starts_in;    ///< e.g. "in 15 minutes"; empty when it has begun
    std::string location;     ///< may be empty
    std::string join_url;     ///< URL or CONFERENCE of the event; empty: none
    std::string event_url;    ///< a link to the event; empty: none
};

/// The RFC 5322 message: From the server, To the recipient, Subject
/// "Reminder: TITLE @ WHEN", a multipart/alternative body of text/plain and
/// text/html (the HTML escaped), Auto-Submitted: auto-generated (RFC 3834
/// §5), X-Auto-Response-Suppress: All (Exchange) and Precedence: bulk.
/// CRLF line endings, ready for SMTP. Never throws.
std::string compose_reminder_message(const ReminderMailContent& content);

}  // namespace server

// iMIP email (RFC 6047) on GMime 3: building the message that carries an iTIP
// text, and taking the calendar parts and sender out of a received one.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/itip.hpp"

namespace server {

/// Initialises GMime once per process; safe from any thread.
void ensure_gmime();

/// The bare address of a mailbox written "Name <addr>" or "addr", or empty when
/// `text` holds no mailbox.
std::string mailbox_address(std::string_view text);

/// Who an iMIP message is from and for, besides what the iTIP text says.
struct ImipAddresses {
    std::string server_from;      ///< the configured sender, "Name <addr>" or "addr"
    std::string recipient;        ///< bare address
    std::string recipient_name;   ///< CN, may be empty
    std::string originator;       ///< bare address of the organizer (or replying attendee)
    std::string originator_name;  ///< CN, may be empty
    std::string answer_url;  ///< a REQUEST's answer link without ?partstat=; empty: no links
};

/// The RFC 6047 message for `itip` (its METHOD in `summary`): From the server's
/// mailbox under the originator's name, Reply-To the originator so that
/// answers reach them (RFC 6047 §3 and RFC 5322 §3.6.2), To, Subject, Date,
/// Message-ID, MIME-Version and a multipart/alternative body of a readable
/// text/plain part and the text/calendar part with its method parameter.
/// Lines end with CRLF, ready for SMTP.
std::string compose_imip_message(const ImipAddresses& who, const ical::ItipSummary& summary,
                                 const std::string& itip);

/// What `kalends imip deliver` needs from a received email.
struct ReceivedMail {
    std::vector<std::string>
        calendars;  ///< decoded UTF-8 calendar parts, text/calendar with a method first
    std::vector<std::string> senders;  ///< bare addresses of From and Sender
    std::string text;                  ///< the first text/plain part, decoded
};

/// Parses an email (RFC 5322/MIME): every text/calendar, application/ics or
/// *.ics part at any depth, decoded from base64 or quoted-printable and
/// converted to UTF-8. nullopt when it is not a message. Never throws.
std::optional<ReceivedMail> parse_received_mail(std::string_view raw);

}  // namespace server

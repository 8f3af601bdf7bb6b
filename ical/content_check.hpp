// Character-level checks of iCalendar text that libical does not make:
// UTF-8 (RFC 5545 §3.1.4), CONTROL characters (§3.1), the characters XML 1.0
// §2.2 forbids (the data is sent inside XML answers), and TEXT escapes (§3.3.11).
#pragma once
#include <optional>
#include <string_view>

#include "ical/error.hpp"

namespace ical {

/// The first character-level problem of `ics`, with its 1-based physical
/// line, or nullopt when there is none:
/// - bytes that are not UTF-8 (overlong forms, surrogates, past U+10FFFF,
///   cut sequences), whatever charset the sender declared;
/// - CONTROL characters (U+0000–U+0008, U+000A–U+001F, U+007F) other than
///   HTAB, and CR not followed by LF: LF and CRLF end lines (§3.1);
/// - U+FFFE and U+FFFF, which XML 1.0 does not allow in a document;
/// - in the value of a TEXT property (SUMMARY, DESCRIPTION, LOCATION,
///   COMMENT, CATEGORIES, RESOURCES, CONTACT, TZNAME without another VALUE),
///   a backslash not followed by one of \ ; , n N.
/// A leading UTF-8 byte order mark is refused too (the data must start with
/// BEGIN:VCALENDAR). Never throws; linear in the size of `ics`.
std::optional<Error> check_characters(std::string_view ics);

}  // namespace ical

// iCalendar text checked byte by byte before libical reads it (RFC 5545 §3.1,
// §3.1.4, §3.3.11; XML 1.0 §2.2 Char): libical passes these through to storage
// and, from there, into XML answers that are then not well-formed (issue 22).
#include "ical/content_check.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ical {

namespace {

/// "U+0001" for messages.
std::string code_point_name(std::uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

/// Length of the UTF-8 sequence at `s[i]` and its code point; 0 when the bytes
/// there are not well-formed UTF-8 (Unicode §3.9 Table 3-7).
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(k) < 0x80 || b(k) > 0xBF) return 0;
    cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3F);
    return n;
}

/// TEXT properties whose values clients write as free text (RFC 5545 §3.8.1.x,
/// §3.8.3.2, §3.8.4.2): their escapes are checked.
bool is_text_property(std::string_view name) {
    static constexpr std::array<std::string_view, 8> names{"SUMMARY",    "DESCRIPTION", "LOCATION", "COMMENT",
                                                           "CATEGORIES", "RESOURCES",   "CONTACT",  "TZNAME"};
    for (auto n : names)
        if (name.size() == n.size() &&
            std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                return a == std::toupper(static_cast<unsigned char>(b));
            }))
            return true;
    return false;
}

/// One unfolded content line and the physical line it starts on.
struct Line {
    std::string text;
    int number = 0;
};

/// The escape problem of one content line's TEXT value, if any (RFC 5545
/// §3.3.11: ESCAPED-CHAR = "\\" / "\;" / "\," / "\N" / "\n").
std::optional<Error> check_escapes(const Line& l) {
    std::size_t i = 0;
    while (i < l.text.size() && (std::isalnum(static_cast<unsigned char>(l.text[i])) || l.text[i] == '-')) ++i;
    std::string_view name(l.text.data(), i);
    if (!is_text_property(name)) return std::nullopt;
    bool quoted = false;
    std::size_t colon = std::string::npos;
    for (std::size_t j = i; j < l.text.size(); ++j) {
        if (l.text[j] == '"') quoted = !quoted;
        if (!quoted && l.text[j] == ':') {
            colon = j;
            break;
        }
    }
    if (colon == std::string::npos) return std::nullopt;  // the syntax check reports it
    // Another value type (VALUE=...) has its own grammar.
    std::string params = l.text.substr(i, colon - i);
    for (char& c : params) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (auto v = params.find(";VALUE="); v != std::string::npos && params.compare(v + 7, 4, "TEXT") != 0)
        return std::nullopt;
    for (std::size_t j = colon + 1; j < l.text.size(); ++j) {
        if (l.text[j] != '\\') continue;
        char next = j + 1 < l.text.size() ? l.text[j + 1] : '\0';
        if (next != '\\' && next != ';' && next != ',' && next != 'n' && next != 'N')
            return Error{std::string(name) + ": \"\\" + (next ? std::string(1, next) : std::string()) +
                             "\" is not a TEXT escape (RFC 5545 §3.3.11: \\\\ \\; \\, \\n)",
                         l.number};
        ++j;
    }
    return std::nullopt;
}

}  // namespace

std::optional<Error> check_characters(std::string_view ics) {
    int line = 1;
    Line current;
    std::optional<Error> escape_error;
    auto finish_line = [&] {
        if (!escape_error && !current.text.empty()) escape_error = check_escapes(current);
    };
    for (std::size_t i = 0; i < ics.size();) {
        std::uint32_t cp = 0;
        std::size_t n = decode(ics, i, cp);
        if (n == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(ics[i])));
            return Error{std::string("the data is not UTF-8 (byte ") + buf +
                             "; RFC 5545 §3.1.4, RFC 4791 §5.3.2.1)",
                         line};
        }
        if (cp == '\r' && i + 1 < ics.size() && ics[i + 1] == '\n') {
            i += 1;  // the LF ends the line below
            continue;
        }
        if (cp == '\n') {
            ++line;
            i += 1;
            // A line starting with a space or HTAB continues the one before (§3.1).
            bool folded = i < ics.size() && (ics[i] == ' ' || ics[i] == '\t');
            if (folded) {
                i += 1;
            } else {
                finish_line();
                current = Line{{}, line};
            }
            continue;
        }
        if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
            return Error{"control character " + code_point_name(cp) +
                             " in the data (RFC 5545 §3.1: CONTROL is not allowed in values)",
                         line};
        if (cp == 0xFEFF && i == 0)
            return Error{"the data starts with a byte order mark, not BEGIN:VCALENDAR", line};
        if (cp == 0xFFFE || cp == 0xFFFF)
            return Error{"character " + code_point_name(cp) + " is not allowed (XML 1.0 §2.2)", line};
        current.text.append(ics.substr(i, n));
        i += n;
    }
    finish_line();
    return escape_error;
}

}  // namespace ical

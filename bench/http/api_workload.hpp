// What the JSON API phases of the load driver send and expect (issue 24,
// /api/v1 as in docs/openapi.json): RFC 3339 times, the bodies of create,
// availability and suggest requests, the week and work-week windows in
// America/New_York, and a few string scans of the JSON answers. No JSON
// library: the answers are checked by the fields the driver needs, so the
// driver's own cost stays small and the same for every run.
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/http/workload.hpp"

namespace bench::api {

/// The zone every API request of the driver speaks in (the example).
constexpr const char* zone = "America/New_York";
constexpr int zone_index = 1;  ///< its index in bench::zone_names

/// RFC 3339 text of UTC seconds shown at `offset` seconds east of UTC:
/// "2025-01-20T00:00:00-05:00", or with offset 0 "...Z".
inline std::string rfc3339(std::int64_t utc, std::int64_t offset = 0) {
    std::int64_t local = utc + offset;
    std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    std::int64_t secs = local - days * 86400;
    auto c = detail::civil_from_days(days);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(c.y), c.m, c.d,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60));
    std::string out = buf;
    if (offset == 0) return out + "Z";
    std::int64_t a = offset < 0 ? -offset : offset;
    std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", offset < 0 ? '-' : '+', static_cast<long long>(a / 3600),
                  static_cast<long long>(a / 60 % 60));
    return out + buf;
}

/// UTC seconds of RFC 3339 text ("2025-01-20T05:00:00Z" or with an offset); nullopt when malformed.
inline std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
    int y, mo, d, h, mi, se, n = 0;
    std::string text(s);
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6) return std::nullopt;
    std::size_t at = static_cast<std::size_t>(n);
    if (at < text.size() && text[at] == '.')
        while (++at < text.size() && text[at] >= '0' && text[at] <= '9') {
        }
    std::int64_t offset = 0;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        int oh, om;
        if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset = (text[at] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else if (at >= text.size() || (text[at] != 'Z' && text[at] != 'z')) {
        return std::nullopt;
    }
    std::int64_t days = detail::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return days * 86400 + h * 3600 + mi * 60 + se - offset;
}

/// A window in the API's zone: its UTC bounds and the offsets to show them with.
struct LocalWindow {
    Window utc;
    std::int64_t start_offset = 0, end_offset = 0;
    std::string start_text() const { return rfc3339(utc.start, start_offset); }
    std::string end_text() const { return rfc3339(utc.end, end_offset); }
};

/// From local midnight of day `first` to local midnight of day `first + days`, New York time.
inline LocalWindow local_days(std::int64_t first, std::int64_t days) {
    LocalWindow w;
    w.start_offset = detail::utc_offset(zone_index, first);
    w.end_offset = detail::utc_offset(zone_index, first + days);
    w.utc = {first * 86400 - w.start_offset, (first + days) * 86400 - w.end_offset};
    return w;
}

/// `count` windows of `days` days, each starting on a Monday (the Mondays of
/// bench::week_windows), New York time: 7 for the week listing, 5 for a work
/// week (Monday 00:00 to Saturday 00:00), 14 for the suggestions.
inline std::vector<LocalWindow> local_weeks(std::size_t count, std::int64_t days) {
    std::vector<LocalWindow> out;
    for (const auto& w : week_windows(count)) out.push_back(local_days(w.start / 86400, days));
    return out;
}

/// The UTC windows of `local`, for bench::expectations.
inline std::vector<Window> utc_windows(const std::vector<LocalWindow>& local) {
    std::vector<Window> out;
    for (const auto& w : local) out.push_back(w.utc);
    return out;
}

/// Where the value of the first `"key":` at or after `from` starts (after
/// blanks), or npos.
inline std::size_t value_at(std::string_view json, std::string_view key, std::size_t from = 0) {
    std::string quoted = "\"" + std::string(key) + "\"";
    for (auto at = json.find(quoted, from); at != std::string_view::npos; at = json.find(quoted, at + 1)) {
        auto p = at + quoted.size();
        while (p < json.size() && (json[p] == ' ' || json[p] == '\n' || json[p] == '\t' || json[p] == '\r')) ++p;
        if (p >= json.size() || json[p] != ':') continue;
        ++p;
        while (p < json.size() && (json[p] == ' ' || json[p] == '\n' || json[p] == '\t' || json[p] == '\r')) ++p;
        return p;
    }
    return std::string_view::npos;
}

/// The string value of the first `"key"` at or after `from` (escapes kept
/// as sent: the values read here are ids, times and cursors); nullopt when
/// absent or not a string.
inline std::optional<std::string> string_value(std::string_view json, std::string_view key, std::size_t from = 0) {
    auto p = value_at(json, key, from);
    if (p == std::string_view::npos || json[p] != '"') return std::nullopt;
    std::size_t e = p + 1;
    while (e < json.size() && json[e] != '"') e += json[e] == '\\' ? 2 : 1;
    if (e >= json.size()) return std::nullopt;
    return std::string(json.substr(p + 1, e - p - 1));
}

/// The integer value of the first `"key"`; nullopt when absent or not a number.
inline std::optional<long long> number_value(std::string_view json, std::string_view key) {
    auto p = value_at(json, key);
    if (p == std::string_view::npos || p >= json.size() || (json[p] != '-' && (json[p] < '0' || json[p] > '9')))
        return std::nullopt;
    return std::stoll(std::string(json.substr(p, 24)));
}

/// How many times `needle` occurs in `text`.
inline std::size_t count(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

/// The periods of the array `"key": [{"start": ..., "end": ...}, ...]` found
/// first at or after `from`; nullopt when it is missing or a time is malformed.
inline std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> periods(std::string_view json,
                                                                                std::string_view key,
                                                                                std::size_t from) {
    auto p = value_at(json, key, from);
    if (p == std::string_view::npos || json[p] != '[') return std::nullopt;
    auto close = json.find(']', p);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view array = json.substr(p, close - p);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (std::size_t at = array.find('{'); at != std::string_view::npos; at = array.find('{', at + 1)) {
        auto start = string_value(array, "start", at);
        auto end = string_value(array, "end", at);
        if (!start || !end) return std::nullopt;
        auto s = parse_rfc3339(*start), e = parse_rfc3339(*end);
        if (!s || !e) return std::nullopt;
        out.emplace_back(*s, *e);
    }
    return out;
}

/// `s` as a JSON string literal (the driver's own text: ASCII names and times).
inline std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/// `users` as a JSON array of strings.
inline std::string string_array(const std::vector<std::string>& users) {
    std::string out = "[";
    for (const auto& u : users) {
        if (out.size() > 1) out += ',';
        out += quoted(u);
    }
    return out + "]";
}

/// Percent-encodes everything but RFC 3986 unreserved characters (query values, ids in paths).
inline std::string percent_encoded(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// The body of POST /api/v1/availability/check.
inline std::string availability_body(const std::vector<std::string>& users, const LocalWindow& w) {
    return "{\"users\":" + string_array(users) + ",\"start_time\":" + quoted(w.start_text()) +
           ",\"end_time\":" + quoted(w.end_text()) + ",\"time_zone\":" + quoted(zone) + "}";
}

/// The body of POST /api/v1/availability/suggest: `minutes` long, everyone required.
inline std::string suggest_body(const std::vector<std::string>& users, const LocalWindow& w, int minutes) {
    return "{\"users\":" + string_array(users) + ",\"optional_users\":[],\"duration_minutes\":" +
           std::to_string(minutes) + ",\"start_time\":" + quoted(w.start_text()) + ",\"end_time\":" +
           quoted(w.end_text()) + ",\"time_zone\":" + quoted(zone) + "}";
}

/// The body of POST /api/v1/events for meeting `i` of a series of distinct
/// times starting at UTC `first`, three hours apart, 45 minutes long, with
/// the two `attendees` (the second optional; none when `a` is empty) and a
/// reminder; every tenth recurs weekly (two weekdays, ten instances).
inline std::string create_body(std::size_t i, std::int64_t first, const std::string& a, const std::string& b) {
    std::int64_t start = first + static_cast<std::int64_t>(i) * 3 * 3600;
    std::string attendees = a.empty() ? std::string()
                                      : ",\"attendees\":[{\"email\":" + quoted(a) + ",\"optional\":false},{\"email\":" +
                                            quoted(b) + ",\"optional\":true}]";
    std::string body = "{\"title\":\"API bench meeting " + std::to_string(i) +
                       "\",\"description\":\"Load driver\",\"location\":\"Room 1\",\"start_time\":" +
                       quoted(rfc3339(start)) + ",\"end_time\":" + quoted(rfc3339(start + 45 * 60)) +
                       ",\"time_zone\":" + quoted(zone) + attendees +
                       ",\"reminders\":[{\"minutes_before\":15,\"method\":\"display\"}]";
    if (i % 10 == 9) {
        static const char* days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
        // Local weekday of the start decides the first BYDAY value, so DTSTART lies on the rule.
        std::int64_t local = start + detail::utc_offset(zone_index, start / 86400);
        int wd = detail::weekday(local / 86400);
        body += ",\"recurrence\":{\"frequency\":\"weekly\",\"interval\":1,\"count\":10,\"by_day\":[\"" +
                std::string(days[wd]) + "\",\"" + days[(wd + 2) % 7] + "\"]}";
    }
    return body + "}";
}

}  // namespace bench::api

// calendar-query filters (RFC 4791 §9.7) as plain values, and their evaluation
// against one calendar object resource, recurrences included (§9.9).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ical {

/// A UTC interval [start, end); a missing bound is open (RFC 4791 §9.9).
struct TimeRange {
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
};

/// Collations a text-match may name (RFC 4790, RFC 5051).
enum class Collation { ascii_casemap, octet, unicode_casemap };

/// CALDAV:text-match: substring match under a collation, possibly negated.
struct TextMatch {
    std::string text;
    Collation collation = Collation::ascii_casemap;
    bool negate = false;
};

/// CALDAV:param-filter.
struct ParamFilter {
    std::string name;  ///< upper case
    bool is_not_defined = false;
    std::optional<TextMatch> text_match;
};

/// CALDAV:prop-filter.
struct PropFilter {
    std::string name;  ///< upper case
    bool is_not_defined = false;
    std::optional<TimeRange> time_range;
    std::optional<TextMatch> text_match;
    std::vector<ParamFilter> params;
};

/// CALDAV:comp-filter; the root one names VCALENDAR.
struct CompFilter {
    std::string name;  ///< upper case
    bool is_not_defined = false;
    std::optional<TimeRange> time_range;
    std::vector<PropFilter> props;
    std::vector<CompFilter> comps;
};

/// Bounds on the work one evaluation may do.
struct QueryLimits {
    std::size_t max_instances = 10000;                ///< instances expanded per component
    std::chrono::milliseconds max_time{2000};         ///< wall time per object
};

/// Outcome of matching: whether the object matches, or why it could not be decided.
struct MatchResult {
    bool matches = false;
    std::optional<std::string> error;  ///< set when the object could not be evaluated
};

/// True when `data` (one stored calendar object resource) satisfies `filter`.
/// Floating and all-day times are read in UTC. Never throws; the instance and
/// time caps of `limits` turn into an error rather than a hang.
MatchResult matches(std::string_view data, const CompFilter& filter, const QueryLimits& limits);

/// Parses an iCalendar UTC date-time ("20240105T150000Z") to seconds; nullopt
/// when it is not one.
std::optional<std::int64_t> parse_utc(std::string_view text);

}  // namespace ical

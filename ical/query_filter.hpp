// calendar-query filters (RFC 4791 §9.7) as plain values, and their evaluation
// against one calendar object resource, recurrences included (§9.9).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
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

/// The time zone floating and DATE values are read in when matching (RFC 4791
/// §9.8: the request's CALDAV:timezone, else the calendar's calendar-timezone).
/// Parsed once per query; not to be shared between threads (libical caches
/// zone transitions inside it).
class ReaderZone {
public:
    /// The zone of `vcalendar`, an iCalendar object holding exactly one
    /// VTIMEZONE; nullopt when it is not one.
    static std::optional<ReaderZone> parse(std::string_view vcalendar);

    /// The zone as a libical icaltimezone* (opaque here to keep libical out of
    /// this header); valid while this object lives.
    void* zone() const { return zone_.get(); }

private:
    std::shared_ptr<void> zone_;
};

/// Outcome of matching: whether the object matches, or why it could not be decided.
struct MatchResult {
    bool matches = false;
    std::optional<std::string> error;  ///< set when the object could not be evaluated
};

/// True when `data` (one stored calendar object resource) satisfies `filter`.
/// Floating and all-day times are read in `reader` (UTC when null). Never
/// throws; the instance and time caps of `limits` turn into an error rather
/// than a hang.
MatchResult matches(std::string_view data, const CompFilter& filter, const QueryLimits& limits,
                    const ReaderZone* reader = nullptr);

/// Parses an iCalendar UTC date-time ("20240105T150000Z") to seconds; nullopt
/// when it is not one.
std::optional<std::int64_t> parse_utc(std::string_view text);

}  // namespace ical

// One RRULE's occurrences as wall-clock times (RFC 5545 §3.3.10, §3.8.5.3),
// by our own bounded iterators for every frequency.
#pragma once
#include <libical/ical.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ical {

/// Iterates the occurrences of one recurrence rule from DTSTART, in increasing
/// order, as wall-clock seconds (local time read as UTC; see wall_seconds).
/// Every call does bounded work and honours a deadline, so no rule can hang:
/// rules whose BY-parts can never match (BYMONTH=2;BYMONTHDAY=31) end at once.
/// COUNT is applied here; UNTIL is left to the caller (it needs the zone).
class RuleIterator {
public:
    /// Builds an iterator for `rule` anchored at `dtstart`. nullptr and
    /// `error` set when the rule is unusable (no FREQ, BY-part out of range).
    static std::unique_ptr<RuleIterator> make(const icalrecurrencetype& rule, icaltimetype dtstart, std::string& error);
    virtual ~RuleIterator() = default;

    /// Moves close to, but not past, the first occurrence at or after wall time
    /// `wall`. Does nothing for rules with COUNT (occurrences must be counted).
    virtual void skip_to(std::int64_t wall) = 0;

    /// The next occurrence, or nullopt when the rule is exhausted or `deadline`
    /// passed (then timed_out() is true).
    virtual std::optional<std::int64_t> next(std::chrono::steady_clock::time_point deadline) = 0;

    /// True once next() gave up because of its deadline.
    bool timed_out() const { return timed_out_; }

protected:
    bool timed_out_ = false;
};

/// Wall-clock seconds → a libical date-time (or date) without a zone.
icaltimetype wall_to_icaltime(std::int64_t wall, bool is_date);

/// a / b rounded towards minus infinity (b != 0).
std::int64_t floor_div(std::int64_t a, std::int64_t b);
/// a / b rounded towards plus infinity (b != 0).
std::int64_t ceil_div(std::int64_t a, std::int64_t b);

/// A proleptic Gregorian calendar date.
struct CivilDate {
    int year, month, day;
};

/// The date `days` days after 1970-01-01 (Howard Hinnant's algorithm).
CivilDate civil_from_days(std::int64_t days);

/// Days from 1970-01-01 to `y`-`m`-`d` (negative before it).
std::int64_t days_from_civil(int y, int m, int d);

}  // namespace ical

// The calendar service's availability operations (issue 23 §1, issue 24): a
// calendar user's busy time, as scheduling shares it (RFC 6638 §5: the outbox
// free/busy lookup), their working hours (RFC 7953 VAVAILABILITY, else
// defaults) and free time, as the JSON API's availability check and
// meeting-time suggestions read them. Busy time only: never what the events
// are. Implemented in availability.cpp and suggestions.cpp.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"
#include "ical/freebusy.hpp"

namespace caldav {

/// The busy periods of `who` overlapping [start, end): from the calendars
/// that count for free/busy (RFC 6638 §9.1 schedule-calendar-transp), the
/// meetings they declined left out, read from the time index where it
/// decides and parsed otherwise. An object whose expansion reaches the
/// limits takes no busy time rather than failing the answer (issue 22 §5).
/// Unsorted and unmerged (ical::render_freebusy merges them).
std::vector<ical::BusyPeriod> busy_time(Store& store, const Limits& limits, const PrincipalRecord& who,
                                        std::int64_t start, std::int64_t end);

/// One interval, UTC seconds [start, end).
struct Period {
    std::int64_t start = 0, end = 0;
    bool operator==(const Period&) const = default;
};

/// Working hours when a user has set none (RFC 7953 VAVAILABILITY): per
/// weekday (0 Sunday … 6 Saturday) the local [from, to) minutes after
/// midnight, in the user's time zone, else `time_zone`.
struct WorkingHours {
    std::array<std::vector<std::pair<int, int>>, 7> days{
        {{}, {{540, 1020}}, {{540, 1020}}, {{540, 1020}}, {{540, 1020}}, {{540, 1020}}, {}}};
    std::string time_zone = "UTC";  ///< IANA name for users whose calendars name none
};

/// A user's time in [start, end) as an availability check shows it.
struct UserAvailability {
    std::vector<Period> busy;  ///< merged, sorted: busy time (any FBTYPE) clipped to the range
    /// Merged, sorted: inside working hours (their VAVAILABILITY AVAILABLE
    /// slots when they have any, else `defaults` in their zone) and not busy.
    std::vector<Period> free;
    std::vector<Period> working;  ///< merged, sorted: the working hours within the range
    std::string time_zone;        ///< the zone their working hours are read in
};

/// Sorts `periods` and merges overlapping or touching ones; empty periods
/// are dropped.
std::vector<Period> merge_periods(std::vector<Period> periods);

/// The time of `from` not in `minus` (both sorted and merged); sorted, merged.
std::vector<Period> subtract_periods(const std::vector<Period>& from, const std::vector<Period>& minus);

/// The time in both `a` and `b` (both sorted and merged); sorted, merged.
std::vector<Period> intersect_periods(const std::vector<Period>& a, const std::vector<Period>& b);

/// True for principals without working hours: rooms and resources.
bool is_room(const PrincipalRecord& who);

/// The IANA zone a user lives in: the TZID of their default calendar's
/// calendar-timezone (RFC 4791 §5.2.2) when it names one libical knows,
/// else `fallback`.
std::string time_zone_of(Store& store, const PrincipalRecord& who, const std::string& fallback);

/// `who`'s busy, working and free time in [start, end): busy from busy_time;
/// working hours from their VAVAILABILITY components (RFC 7953 §3: AVAILABLE
/// slots, recurring ones expanded, minus BUSY-UNAVAILABLE) when they store
/// any, else `defaults` in time_zone_of(who).
///
/// VAVAILABILITY comes from the calendars that count for busy time and from
/// the CALDAV:calendar-availability property of their inbox (RFC 7953
/// §7.2.4, stored as a dead property). Each one replaces, within its own
/// DTSTART/DTEND, what lies below it by its AVAILABLE instances, from the
/// lowest PRIORITY to the highest (§4); outside every VAVAILABILITY the
/// defaults apply. Time a VAVAILABILITY leaves unavailable is busy
/// (BUSY-UNAVAILABLE) like busy_time reports it, but with the priorities
/// applied. Rooms and resources (is_room) work the whole range: their free
/// time is the range minus busy. Data that does not parse or reaches the
/// limits is left out, as busy_time does. An empty or inverted range gives
/// nothing.
UserAvailability availability_of(Store& store, const Limits& limits, const PrincipalRecord& who,
                                 std::int64_t start, std::int64_t end, const WorkingHours& defaults);

/// The intersection of several users' free time (each sorted and merged);
/// empty input gives nothing.
std::vector<Period> common_free(const std::vector<std::vector<Period>>& free);

/// What a meeting-time search looks for (POST /api/v1/availability/suggest).
struct SuggestRequest {
    std::vector<PrincipalRecord> required;
    std::vector<PrincipalRecord> optional;
    std::int64_t duration = 1800;       ///< seconds, > 0
    std::int64_t start = 0, end = 0;    ///< UTC seconds: the window searched
    std::string time_zone = "UTC";      ///< the caller's zone, for the times of day below
    std::optional<int> earliest_minute; ///< local minutes after midnight a slot may start
    std::optional<int> latest_minute;   ///< local minutes after midnight a slot must end by
    std::int64_t buffer = 0;            ///< seconds kept free before and after
    bool working_hours_only = false;    ///< a slot must lie in every required user's working hours
    std::int64_t step = 900;            ///< candidate starts are aligned to this many seconds
    std::size_t max_results = 5;
};

/// One suggested slot and who is free for it.
struct Suggestion {
    Period slot;
    std::vector<std::string> free;         ///< emails (or names) of the users free, required first
    std::vector<std::string> busy;         ///< those not free
    std::size_t required_free = 0, optional_free = 0;
    bool in_working_hours = false;          ///< inside every required user's working hours
};

/// The most candidate starts suggest_times looks at in one search.
inline constexpr std::int64_t max_suggest_candidates = 50000;
/// The longest buffer suggest_times keeps around a slot, seconds (a day).
inline constexpr std::int64_t max_suggest_buffer = 86400;

/// The best slots, ranked: every required user free first, then most
/// optional users free, then inside working hours, then earliest. Slots do
/// not overlap each other. Busy time of rooms among the users counts like a
/// person's (a room has no working hours: always "working").
///
/// Candidates start at every multiple of `step` (UTC) in [start, end -
/// duration]. A user is free for [s, s + duration) when it lies in their
/// free time (working hours, not busy) and no busy time of theirs overlaps
/// [s - buffer, s + duration + buffer): the buffer keeps meetings apart, it
/// does not need working hours. earliest/latest_minute in `time_zone` (an
/// unknown zone reads as UTC) filter candidates; latest <= earliest means a
/// window past midnight. Slots where not every required user is free still
/// rank, below every slot where all are (fewer required free ranks lower),
/// unless `working_hours_only` already dropped them. Each user's
/// availability is read once (range widened by the buffer). Bounds: a
/// negative buffer reads as none, one past max_suggest_buffer as that; a step
/// below 60 s reads as 60 s, and the step grows so that at most
/// max_suggest_candidates candidates are looked at; an empty window,
/// duration <= 0 or max_results 0 gives nothing.
std::vector<Suggestion> suggest_times(Store& store, const Limits& limits, const SuggestRequest& request,
                                      const WorkingHours& defaults);

}  // namespace caldav

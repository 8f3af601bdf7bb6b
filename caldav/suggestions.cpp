// Meeting-time suggestions (issue 24, POST /api/v1/availability/suggest): the
// best non-overlapping slots for required and optional attendees, from each
// one's availability read once (caldav/availability.hpp).
#include <algorithm>
#include <set>

#include "caldav/availability.hpp"
#include "ical/local_time.hpp"

namespace caldav {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/// True when [s, e) lies inside one period of `list` (sorted, merged).
bool inside(const std::vector<Period>& list, std::int64_t s, std::int64_t e) {
    auto it = std::upper_bound(list.begin(), list.end(), s,
                               [](std::int64_t t, const Period& p) { return t < p.start; });
    if (it == list.begin()) return false;
    --it;
    return it->start <= s && e <= it->end;
}

/// True when a period of `list` (sorted, merged: ends grow too) overlaps [s, e).
bool overlaps(const std::vector<Period>& list, std::int64_t s, std::int64_t e) {
    auto it = std::upper_bound(list.begin(), list.end(), s, [](std::int64_t t, const Period& p) { return t < p.end; });
    return it != list.end() && it->start < e;
}

struct Attendee {
    const PrincipalRecord* who;
    bool required;
    UserAvailability time;
};

struct Candidate {
    std::int64_t start = 0;
    std::size_t required_free = 0, optional_free = 0;
    bool working = false;
};

/// Free for [s, s + duration): in their free time, and no busy time within the buffer.
bool free_for(const Attendee& a, std::int64_t s, const SuggestRequest& r) {
    return inside(a.time.free, s, s + r.duration) && !overlaps(a.time.busy, s - r.buffer, s + r.duration + r.buffer);
}

/// The local times of day a slot may take (earliest/latest_minute in the
/// caller's zone) over [from, to), or nullopt when the request sets none.
std::optional<std::vector<Period>> allowed_times(const SuggestRequest& r, std::int64_t from, std::int64_t to) {
    if (!r.earliest_minute && !r.latest_minute) return std::nullopt;
    int first = std::clamp(r.earliest_minute.value_or(0), 0, 1440);
    int last = std::clamp(r.latest_minute.value_or(1440), 0, 1440);
    if (last <= first) last += 1440;  // a window past midnight
    ical::DailyMinutes minutes;
    minutes.fill({{first, last}});
    auto clock = ical::ZoneClock::named(r.time_zone).value_or(ical::ZoneClock{});
    std::vector<Period> out;
    for (auto [s, e] : ical::daily_spans(clock, from, to, minutes)) out.push_back({s, e});
    return out;
}

/// Every candidate start the filters let through, with who is free.
std::vector<Candidate> candidates(const std::vector<Attendee>& people, const SuggestRequest& r) {
    std::vector<Candidate> out;
    std::int64_t span = r.end - r.duration - r.start;
    if (span < 0) return out;
    std::int64_t step = std::max<std::int64_t>({r.step, 60, span / max_suggest_candidates + 1});
    auto allowed = allowed_times(r, r.start, r.end);
    for (std::int64_t s = -floor_div(-r.start, step) * step; s + r.duration <= r.end; s += step) {
        if (allowed && !inside(*allowed, s, s + r.duration)) continue;
        Candidate c{s, 0, 0, true};
        for (const auto& a : people) {
            if (a.required && !inside(a.time.working, s, s + r.duration)) c.working = false;
            if (free_for(a, s, r)) ++(a.required ? c.required_free : c.optional_free);
        }
        if (r.working_hours_only && !c.working) continue;
        out.push_back(c);
    }
    return out;
}

std::string identity(const PrincipalRecord& p) { return p.email.empty() ? p.name : p.email; }

Suggestion describe(const Candidate& c, const std::vector<Attendee>& people, const SuggestRequest& r) {
    Suggestion s;
    s.slot = {c.start, c.start + r.duration};
    s.required_free = c.required_free;
    s.optional_free = c.optional_free;
    s.in_working_hours = c.working;
    for (const auto& a : people) (free_for(a, c.start, r) ? s.free : s.busy).push_back(identity(*a.who));
    return s;
}

}  // namespace

std::vector<Suggestion> suggest_times(Store& store, const Limits& limits, const SuggestRequest& request,
                                      const WorkingHours& defaults) {
    std::vector<Suggestion> out;
    if (request.duration <= 0 || request.max_results == 0 || request.start >= request.end) return out;
    std::int64_t buffer = std::clamp<std::int64_t>(request.buffer, 0, max_suggest_buffer);
    SuggestRequest r = request;
    r.buffer = buffer;
    // Read once per attendee; the buffer reaches past the window's edges.
    std::vector<Attendee> people;
    for (const auto* group : {&r.required, &r.optional})
        for (const auto& who : *group)
            people.push_back({&who, group == &r.required,
                              availability_of(store, limits, who, r.start - buffer, r.end + buffer, defaults)});
    auto ranked = candidates(people, r);
    std::stable_sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
        if (a.required_free != b.required_free) return a.required_free > b.required_free;
        if (a.optional_free != b.optional_free) return a.optional_free > b.optional_free;
        if (a.working != b.working) return a.working;
        return a.start < b.start;
    });
    std::set<std::int64_t> taken;  // starts of chosen slots, all of length duration
    for (const auto& c : ranked) {
        if (out.size() >= r.max_results) break;
        auto next = taken.lower_bound(c.start);
        if (next != taken.end() && *next < c.start + r.duration) continue;
        if (next != taken.begin() && *std::prev(next) + r.duration > c.start) continue;
        taken.insert(c.start);
        out.push_back(describe(c, people, r));
    }
    return out;
}

}  // namespace caldav

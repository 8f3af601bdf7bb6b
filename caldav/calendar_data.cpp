// Calendar data validation for PUT, mapped to CalDAV preconditions (RFC 4791 §5.3.2.1).
#include "caldav/calendar_data.hpp"

#include <ctime>
#include <limits>

#include "caldav/error.hpp"
#include "ical/expand.hpp"
#include "ical/itip.hpp"
#include "ical/object_index.hpp"

namespace caldav {

namespace {

/// The time-index rows of an expansion up to `horizon` (see index_instances).
InstanceIndex rows_of(const ical::Expansion& expansion, std::optional<std::int64_t> last_end,
                      std::int64_t horizon) {
    // Floating and all-day times belong to the reader's zone: their rows are
    // widened by the largest UTC offsets and need an exact check after.
    constexpr std::int64_t widen = 14 * 3600;
    InstanceIndex index;
    index.indexed_until =
        std::numeric_limits<std::int64_t>::min();  // no rows: a candidate everywhere
    if (expansion.error) return index;
    index.exact = true;
    index.rows.reserve(expansion.instances.size());
    for (const auto& in : expansion.instances) {
        // The busy time a row takes (InstanceRow); a widened row does not
        // know its time, so it leaves busy unknown.
        int busy = in.cancelled ? -1 : !in.busy ? 0 : *in.busy == ical::BusyType::busy_tentative ? 2 : 1;
        if (in.floating) {
            index.exact = false;
            index.rows.push_back({in.start - widen, in.end + widen, std::nullopt, in.declined});
        } else {
            index.rows.push_back({in.start, in.end, busy, in.declined});
        }
    }
    // Complete when every instance ends before the horizon; else rows cover
    // the instances that start before it.
    if (last_end && *last_end < horizon)
        index.indexed_until.reset();
    else
        index.indexed_until = horizon;
    return index;
}

ical::ExpandLimits expand_limits(const Limits& limits) {
    ical::ExpandLimits bounds;
    bounds.max_instances = limits.max_instances;
    return bounds;
}

std::int64_t horizon_of(const Limits& limits, std::int64_t now) {
    return now + static_cast<std::int64_t>(limits.index_horizon_days) * 86400;
}

}  // namespace

namespace {

/// The CalendarData of a valid `result` of index_object, read from `tree`,
/// its parse; throws its refusal as a CalDAV precondition.
CalendarData data_of(ical::IndexResult result, icalcomponent* tree, const Limits& limits) {
    if (!result) {
        const auto& e = *result.error;
        auto pre = e.kind == ical::IndexErrorKind::invalid_data
                       ? Precondition::valid_calendar_data
                       : Precondition::valid_calendar_object_resource;
        throw Error(403, pre,
                    e.line ? e.message + " (line " + std::to_string(e.line) + ")" : e.message);
    }
    CalendarData out;
    auto& i = *result.index;
    out.uid = std::move(i.uid);
    out.component = std::move(i.component);
    out.first_start = i.first_start;
    out.last_end = i.last_end;
    // The parse above serves the time index and the attendee count too.
    if (out.component == "VEVENT") {
        auto horizon = horizon_of(limits, std::time(nullptr));
        out.instances =
            rows_of(ical::expand(tree, std::nullopt, horizon, expand_limits(limits)), out.last_end, horizon);
    } else {
        out.instances.indexed_until = std::numeric_limits<std::int64_t>::min();
    }
    // RFC 4791 §5.3.2.1 CALDAV:max-instances: data a query could not expand
    // within the limits is refused now rather than stored (issue 22 item 5).
    std::vector<std::int64_t> anchors;
    if (out.first_start) anchors.push_back(*out.first_start);
    anchors.push_back(std::time(nullptr));
    if (auto dense = ical::check_instance_density(tree, anchors, limits.instance_window_days * 86400,
                                                  expand_limits(limits)))
        throw Error(403, Precondition::max_instances, dense->message);
    out.max_attendees = ical::max_attendees_per_component(tree);
    return out;
}

}  // namespace

CalendarData validate_calendar_data(std::string_view data, const Limits& limits) {
    ical::ComponentPtr parsed;
    auto result = ical::index_object(data, limits.max_instances, &parsed);
    auto out = data_of(std::move(result), parsed.get(), limits);
    out.parsed = std::move(parsed);
    return out;
}

CalendarData validate_calendar_data(std::string_view data, icalcomponent* parsed, const Limits& limits) {
    return data_of(ical::index_object(data, parsed, limits.max_instances), parsed, limits);
}

InstanceIndex index_instances(std::string_view data, std::string_view component,
                              std::optional<std::int64_t> last_end, const Limits& limits,
                              std::int64_t now) {
    if (component != "VEVENT") {
        InstanceIndex index;
        index.indexed_until = std::numeric_limits<std::int64_t>::min();  // a candidate everywhere
        return index;
    }
    auto horizon = horizon_of(limits, now);
    return rows_of(ical::expand(data, std::nullopt, horizon, expand_limits(limits)), last_end,
                   horizon);
}

std::size_t rebuild_instance_index(Store& store, const Limits& limits) {
    std::size_t done = 0;
    for (;;) {
        auto batch = store.objects_without_index(200);
        if (batch.empty()) return done;
        for (const auto& o : batch) {
            auto index =
                index_instances(o.data, o.component, o.last_end, limits, std::time(nullptr));
            if (store.set_instances(o.id, index) != StoreStatus::ok)
                return done;  // the store refuses writes; unindexed objects stay candidates of
                              // every query
            ++done;
        }
    }
}

}  // namespace caldav

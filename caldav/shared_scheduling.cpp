// Scheduling as a calendar's owner, for a sharee or delegate (issue 25 §5,
// §6; ORGANIZER;SENT-BY, RFC 5545 §3.2.18).
#include "caldav/shared_scheduling.hpp"

#include "caldav/context.hpp"
#include "caldav/error.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/scheduling.hpp"
#include "ical/itip.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

std::string calendar_user_address(const PrincipalRecord& p) {
    return p.email.empty() ? principal_href(p.name) : "mailto:" + p.email;
}

std::optional<PrincipalRecord> other_owner(Actor& actor, const CollectionRecord& calendar) {
    if (calendar.owner_id == actor.principal.id) return std::nullopt;
    for (const auto& g : actor.store.grants_of_collection(calendar.id))
        if (g.owner.id == calendar.owner_id) return g.owner;
    for (const auto& d : actor.store.delegations_to(actor.principal.id))
        if (d.delegator.id == calendar.owner_id) return d.delegator;
    return std::nullopt;
}

Actor on_behalf_of(const Actor& actor, const PrincipalRecord& owner) {
    Actor as{actor.store, actor.limits, owner, actor.imip};
    as.sent_by = actor.principal;
    return as;
}

Actor acting_on(Actor& actor, const CollectionRecord& calendar, Privileges needed) {
    auto owner = other_owner(actor, calendar);
    if (!owner) throw Error(403, "this calendar is not shared with you");
    Resource r;
    r.kind = ResourceKind::collection;
    r.owner = owner;
    r.collection = calendar;
    r.exists = true;
    r.grants = actor.store.grants_of_collection(calendar.id);
    r.delegations = actor.store.delegations_of(owner->id);
    if (!holds(privileges_of(r, actor.principal), needed))
        throw Error(403, "your share of this calendar does not let you do this");
    return on_behalf_of(actor, *owner);
}

std::string as_owner_organizer(const Actor& by, const std::string& data, const std::string& previous) {
    if (!by.sent_by) return data;
    auto info = ical::scheduling_info(data);
    if (!info) return data;
    const auto& owner = by.principal;
    const bool owners = is_own_address(owner, info->organizer);
    // A third party's meeting: the owner's copy as an attendee, not ours to reorganize.
    if (!owners && !is_own_address(*by.sent_by, info->organizer)) return data;
    const auto address = owners ? info->organizer : calendar_user_address(owner);
    // Only a change the attendees see is sent by the sharee; a write that
    // changes answers or alarms keeps the ORGANIZER as it was (Apple Calendar
    // saves the owner's copy again after a sharee's PARTSTAT change).
    if (owners && !previous.empty() && ical::same_for_attendees(previous, data)) {
        auto before = ical::scheduling_info(previous);
        if (before && ical::same_address(before->organizer, info->organizer)) return data;
    }
    return ical::with_organizer(data, address, calendar_user_address(*by.sent_by));
}

}  // namespace caldav

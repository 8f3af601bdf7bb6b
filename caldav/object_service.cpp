// Storing and deleting calendar objects: validated once, planned with their
// scheduling (caldav/scheduling.hpp), committed in one transaction.
#include "caldav/object_service.hpp"

#include <algorithm>

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/store_outcome.hpp"
#include "ical/itip.hpp"
#include "ical/schedule_merge.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

namespace {

/// True when `list` ("VEVENT,VTODO"; empty = all) allows `component`.
bool component_allowed(std::string_view list, std::string_view component) {
    if (list.empty()) return true;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        auto end = list.find(',', pos);
        if (end == std::string_view::npos) end = list.size();
        if (list.substr(pos, end - pos) == component) return true;
        pos = end + 1;
    }
    return false;
}

/// The data parsed and checked against the calendar and the limits (RFC
/// 4791 §5.3.2.1 preconditions): the one parse of what the client sent.
CalendarData validated(const Actor& actor, const ObjectPut& put) {
    const auto& limits = actor.limits;
    if (put.data.size() > limits.max_resource_bytes)
        throw Error(403, Precondition::max_resource_size,
                    "the object is larger than " + std::to_string(limits.max_resource_bytes) + " bytes");
    auto data = validate_calendar_data(put.data, limits);
    if (!component_allowed(put.calendar.components, data.component))
        throw Error(403, Precondition::supported_calendar_component,
                    data.component + " is not accepted by this calendar");
    if (data.last_end && *data.last_end < limits.min_date_time)
        throw Error(403, Precondition::min_date_time, "the object ends before min-date-time");
    if (data.first_start && *data.first_start > limits.max_date_time)
        throw Error(403, Precondition::max_date_time, "the object starts after max-date-time");
    // CALDAV:max-attendees-per-instance: refused rather than stored and half
    // scheduled, so that one write cannot make the server send invitations
    // to an unbounded list of addresses (issue 6 §7).
    if (data.max_attendees > limits.max_attendees_per_instance)
        throw Error(403, Precondition::max_attendees_per_instance,
                    std::to_string(data.max_attendees) + " attendees in one instance; at most " +
                        std::to_string(limits.max_attendees_per_instance) + " are accepted");
    auto used = actor.store.used_bytes(put.calendar.owner_id);
    if (static_cast<std::uint64_t>(used) + put.data.size() > limits.quota_bytes_per_user)
        throw Error(507, Precondition::quota_not_exceeded, "the calendar quota is exhausted");
    return data;
}

[[noreturn]] void precondition_failed() {
    throw Error(412, "the conditional headers do not match the current state");
}

/// The client's conditions checked against `current`, the version the action
/// read (the commit then requires that version).
void check_conditions(const WriteConditions& c, const std::optional<ObjectRecord>& current) {
    if (c.if_match && (!current || (*c.if_match != "*" && *c.if_match != current->etag))) precondition_failed();
    if (c.if_none_match && current) precondition_failed();
    if (c.if_schedule_tag_match &&
        (!current || current->schedule_tag.empty() || current->schedule_tag != *c.if_schedule_tag_match))
        precondition_failed();
}

Error uid_conflict(const ObjectPut& put, const CalendarData& data, const PutResult& result) {
    return Error(403, Precondition::no_uid_conflict,
                 result.conflicting_name == put.name
                     ? "the UID of a calendar object resource cannot change (RFC 4791 §5.3.2.1)"
                     : "another object in this calendar has UID " + data.uid,
                 object_href(put.owner_name, put.calendar.name, result.conflicting_name));
}

Error changing_meanwhile() {
    return Error(503, "the calendar kept changing while this write was planned; try again");
}

/// put_object of `o` with the answer `record` in the same commit (issue 24):
/// Error 409 when the record's key was taken meanwhile.
PutResult put_recorded(Actor& actor, PutObject o, const IdempotencyRecord& record) {
    WriteSet set;
    set.writes.push_back({ObjectWrite::Kind::put, std::move(o), 0});
    set.idempotency = record;
    auto result = actor.store.commit(set);
    if (result.idempotency_taken) throw Error(409, "a request with this Idempotency-Key finished meanwhile");
    if (result.results.empty()) return PutResult{result.status, false, {}, {}, {}};
    return std::move(result.results.front());
}

/// A plain object (no scheduling, no If-Schedule-Tag-Match): one write
/// whose conditions the store checks.
ObjectPutOutcome put_plain(Actor& actor, const ObjectPut& put, CalendarData& data) {
    PutObject o;
    o.collection_id = put.calendar.id;
    o.name = put.name;
    o.uid = data.uid;
    o.component = data.component;
    o.data = put.data;
    o.first_start = data.first_start;
    o.last_end = data.last_end;
    o.instances = std::move(data.instances);
    o.schedule_tag = ScheduleTagChange::clear;
    const auto& c = put.conditions;
    if (c.if_match && *c.if_match == "*") {
        if (!put.current) precondition_failed();
    } else {
        o.if_match = c.if_match;
    }
    o.if_none_match = c.if_none_match;
    auto result = put.idempotency ? put_recorded(actor, std::move(o), *put.idempotency) : actor.store.put_object(o);
    switch (result.status) {
    case StoreStatus::ok: break;
    case StoreStatus::etag_mismatch:
    case StoreStatus::exists: precondition_failed();
    case StoreStatus::uid_conflict: throw uid_conflict(put, data, result);
    case StoreStatus::not_found: throw Error(409, "the calendar went away");
    default: throw store_error(result.status);
    }
    return {result.created, result.etag, result.schedule_tag};
}

/// SCHEDULE-FORCE-SEND in what the client sent (RFC 6638 §7.3).
ScheduleForce force_of(const ical::SchedulingInfo& info) {
    ScheduleForce force;
    for (const auto& a : info.attendees)
        if (a.force_send) force.request.push_back(a.address);
    force.reply = info.organizer_force_send;
    return force;
}

}  // namespace

ObjectPutOutcome put_calendar_object(Actor& actor, ObjectPut put) {
    auto data = validated(actor, put);
    // A scheduling object now, or one before this write (RFC 6638 §3.2.1.2:
    // the organizer taking ORGANIZER and the attendees out cancels it).
    const bool names_organizer = put.data.find("ORGANIZER") != std::string::npos;
    const bool schedules = names_organizer || (put.current && !put.current->schedule_tag.empty());
    if (!schedules && !put.conditions.if_schedule_tag_match) return put_plain(actor, put, data);

    // Read from the parse that validated the data: no second parse.
    auto info = schedules ? ical::scheduling_info(data.parsed.get()) : std::nullopt;
    data.parsed.reset();
    auto force = info ? force_of(*info) : ScheduleForce{};
    // SCHEDULE-FORCE-SEND is taken out before the object is stored (§7.3).
    const std::string sent = info ? ical::without_force_send(put.data) : put.data;
    auto own = [&](std::string_view address) { return is_own_address(actor.principal, address); };
    const auto& c = put.conditions;
    PlanHints hints;
    for (int attempt = 0; attempt < actor.limits.plan_attempts; ++attempt) {
        auto old = actor.store.find_object(put.calendar.id, put.name, true);
        check_conditions(c, old);
        std::string stored = sent;
        // On the organizer's copy, rescheduled instances ask again (§3.2.8).
        if (old && info && own(info->organizer)) stored = ical::reset_rescheduled(stored, old->data, own);
        // An attendee's write over their copy (RFC 6638 §3.2.2.1).
        const bool merging = c.if_schedule_tag_match && !c.if_match && old;
        if (old && names_organizer) check_attendee_change(actor, stored, old->data, merging);
        // With If-Schedule-Tag-Match, the client wrote over a version whose
        // later changes, if any, were only the server merging replies
        // (§3.2.10): those answers are merged into what it sent.
        if (merging) stored = ical::merge_replies(stored, old->data, own);

        WritePlan plan(actor.store, hints);
        auto own_object = [&](const std::string& text) {
            PutObject o;
            o.collection_id = put.calendar.id;
            o.name = put.name;
            o.uid = data.uid;
            o.component = data.component;
            o.data = text;
            o.first_start = data.first_start;
            o.last_end = data.last_end;
            o.instances = data.instances;
            // Over the version read: the conditions the client set were
            // checked against it.
            o.if_match = old ? std::optional(old->etag) : std::nullopt;
            o.if_none_match = !old;
            // The owner's client changed a scheduling object: a new
            // Schedule-Tag (§3.2.10); a plain object has none.
            o.schedule_tag = info ? ScheduleTagChange::renew : ScheduleTagChange::clear;
            return o;
        };
        // The actor's own write comes first in the set: refused (a UID taken,
        // the calendar gone), it stops the commit before anything else is
        // applied. Scheduling then replaces its data (SCHEDULE-STATUS).
        auto own_write = plan.put(own_object(stored), put.calendar.owner_id);
        if (schedules) {
            std::optional<ical::SchedulingInfo> reread;
            if (stored != put.data) reread = ical::scheduling_info(stored);
            const auto* parsed = stored == put.data ? &info : &reread;
            if (auto updated = plan_put_scheduling(actor, plan, stored, old ? old->data : std::string(), force, parsed)) {
                stored = std::move(*updated);
                plan.put(own_object(stored), put.calendar.owner_id);
            }
        }
        if (put.idempotency) plan.record(*put.idempotency);
        auto result = actor.store.commit(plan.writes());
        if (result.idempotency_taken) throw Error(409, "a request with this Idempotency-Key finished meanwhile");
        if (result.status == StoreStatus::ok) {
            const auto& r = result.results[own_write];
            return {r.created, stored == put.data ? r.etag : std::string(), r.schedule_tag};
        }
        if (result.failed == own_write) {
            if (result.status == StoreStatus::uid_conflict) throw uid_conflict(put, data, result.results.front());
            if (result.status == StoreStatus::not_found) throw Error(409, "the calendar went away");
            continue;  // written meanwhile: planned again over what is there now
        }
        auto next = plan.replan(result);
        if (!next) throw store_error(result.status);
        hints = std::move(*next);
    }
    throw changing_meanwhile();
}

ObjectPutOutcome answer_invitation(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                                   const std::string& name, const std::string& partstat) {
    static constexpr std::string_view answers[] = {"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"};
    if (std::find(std::begin(answers), std::end(answers), partstat) == std::end(answers))
        throw Error(400, "an answer is ACCEPTED, DECLINED, TENTATIVE or NEEDS-ACTION");
    // Written over the version read, read again when the organizer changed
    // it meanwhile.
    for (int attempt = 0; attempt < actor.limits.plan_attempts; ++attempt) {
        auto copy = actor.store.find_object(calendar.id, name, true);
        if (!copy) throw Error(404, "no such event");
        auto info = ical::scheduling_info(copy->data);
        const ical::Attendee* me = nullptr;
        if (info)
            for (const auto& a : info->attendees)
                if (is_own_address(actor.principal, a.address)) me = &a;
        if (!me || is_own_address(actor.principal, info->organizer))
            throw Error(403, Precondition::valid_calendar_data, "you are not an attendee of this event");
        ObjectPut put;
        put.calendar = calendar;
        put.owner_name = owner_name;
        put.name = name;
        put.data = ical::with_partstat(copy->data, me->address, partstat);
        put.conditions.if_match = copy->etag;
        put.current = copy;
        try {
            return put_calendar_object(actor, std::move(put));
        } catch (const Error& e) {
            if (e.status() != 412) throw;
        }
    }
    throw changing_meanwhile();
}

void remove_object(Actor& actor, const CollectionRecord& collection, const std::string& name,
                   const WriteConditions& c, bool reply) {
    auto if_match = c.if_match && *c.if_match != "*" ? c.if_match : std::nullopt;
    if (collection.kind != CollectionKind::calendar) {
        auto status = actor.store.delete_object(collection.id, name, if_match, c.if_schedule_tag_match);
        if (status == StoreStatus::not_found) throw Error(404, "no such resource");
        if (status == StoreStatus::etag_mismatch)
            throw Error(412, "If-Match or If-Schedule-Tag-Match does not match the current state");
        if (status != StoreStatus::ok) throw store_error(status);
        return;
    }
    PlanHints hints;
    for (int attempt = 0; attempt < actor.limits.plan_attempts; ++attempt) {
        auto old = actor.store.find_object(collection.id, name, true);
        if (!old) throw Error(404, "no such resource");
        if ((if_match && *if_match != old->etag) ||
            (c.if_schedule_tag_match &&
             (old->schedule_tag.empty() || old->schedule_tag != *c.if_schedule_tag_match)))
            throw Error(412, "If-Match or If-Schedule-Tag-Match does not match the current state");
        WritePlan plan(actor.store, hints);
        auto own_write = plan.remove(collection.id, collection.owner_id, name, old->etag);
        // Cancellations to the attendees, or the attendee's declining reply.
        if (old->data.find("ORGANIZER") != std::string::npos) plan_delete_scheduling(actor, plan, old->data, reply);
        auto result = actor.store.commit(plan.writes());
        if (result.status == StoreStatus::ok) return;
        if (result.failed == own_write) continue;  // changed or gone meanwhile: the next look answers
        auto next = plan.replan(result);
        if (!next) throw store_error(result.status);
        hints = std::move(*next);
    }
    throw changing_meanwhile();
}

}  // namespace caldav

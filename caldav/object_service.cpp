// Storing and deleting calendar objects: validated once, planned with their
// scheduling (caldav/scheduling.hpp), committed in one transaction.
#include "caldav/object_service.hpp"

#include <algorithm>

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/quota.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/shared_scheduling.hpp"
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
    auto data = put.parsed ? validate_calendar_data(put.data, put.parsed.get(), limits)
                           : validate_calendar_data(put.data, limits);
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
    check_object_write(actor.store, limits, put.calendar, put.data.size(), put.current);
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
    return {result.created, result.etag, result.schedule_tag, std::nullopt};
}

/// SCHEDULE-FORCE-SEND in what the client sent (RFC 6638 §7.3).
ScheduleForce force_of(const ical::SchedulingInfo& info) {
    ScheduleForce force;
    for (const auto& a : info.attendees)
        if (a.force_send) force.request.push_back(a.address);
    force.reply = info.organizer_force_send;
    return force;
}

/// One put, validated and read once: what every attempt plans from.
struct PreparedPut {
    ObjectPut put;
    CalendarData data;
    std::optional<ical::SchedulingInfo> info;
    ScheduleForce force;
    std::string sent;  ///< what is stored before scheduling: SCHEDULE-FORCE-SEND taken out (§7.3)
    bool names_organizer = false;
    bool schedules = false;  ///< a scheduling object now, or one before this write
    /// The validation's parse of put.data, kept for the store's reminder
    /// indexer when that text is what is stored (WritePlan::keep_parse).
    std::shared_ptr<icalcomponent> parsed;
};

PreparedPut prepare(Actor& actor, ObjectPut put) {
    PreparedPut p;
    p.data = validated(actor, put);
    // A scheduling object now, or one before this write (RFC 6638 §3.2.1.2:
    // the organizer taking ORGANIZER and the attendees out cancels it).
    p.names_organizer = put.data.find("ORGANIZER") != std::string::npos;
    p.schedules = p.names_organizer || (put.current && !put.current->schedule_tag.empty());
    // Read from the parse that validated the data: no second parse.
    if (p.schedules) p.info = ical::scheduling_info(put.parsed ? put.parsed.get() : p.data.parsed.get());
    p.parsed = put.parsed ? put.parsed
                          : std::shared_ptr<icalcomponent>(p.data.parsed.release(), ical::ComponentDeleter{});
    p.force = p.info ? force_of(*p.info) : ScheduleForce{};
    p.sent = p.info ? ical::without_force_send(put.data) : put.data;
    p.put = std::move(put);
    return p;
}

/// A put as one attempt planned it.
struct PlannedPut {
    std::size_t write = 0;  ///< the actor's own write in the plan
    std::string stored;     ///< what it stores
    std::optional<ObjectRecord> old;
};

/// The actor's own object holding `text`, written over `old`.
PutObject own_object(const PreparedPut& p, const std::optional<ObjectRecord>& old, const std::string& text) {
    PutObject o;
    o.collection_id = p.put.calendar.id;
    o.name = p.put.name;
    o.uid = p.data.uid;
    o.component = p.data.component;
    o.data = text;
    o.first_start = p.data.first_start;
    o.last_end = p.data.last_end;
    o.instances = p.data.instances;
    // Over the version read: the conditions the client set were checked
    // against it.
    o.if_match = old ? std::optional(old->etag) : std::nullopt;
    o.if_none_match = !old;
    // The owner's client changed a scheduling object: a new Schedule-Tag
    // (§3.2.10); a plain object has none.
    o.schedule_tag = p.info ? ScheduleTagChange::renew : ScheduleTagChange::clear;
    return o;
}

/// Reads the version `p` replaces, checks the client's conditions against
/// it and plans the actor's own write.
PlannedPut plan_own_write(Actor& actor, WritePlan& plan, const PreparedPut& p) {
    auto own = [&](std::string_view address) { return is_own_address(actor.principal, address); };
    const auto& c = p.put.conditions;
    auto old = actor.store.find_object(p.put.calendar.id, p.put.name, true);
    check_conditions(c, old);
    // Issue 25 §6: a sharee's or delegate's write has the owner as ORGANIZER.
    std::string stored = actor.sent_by ? as_owner_organizer(actor, p.sent, old ? old->data : std::string()) : p.sent;
    // On the organizer's copy, rescheduled instances ask again (§3.2.8).
    if (old && p.info && own(p.info->organizer)) stored = ical::reset_rescheduled(stored, old->data, own);
    // An attendee's write over their copy (RFC 6638 §3.2.2.1).
    const bool merging = c.if_schedule_tag_match && !c.if_match && old;
    if (old && p.names_organizer) check_attendee_change(actor, plan, stored, old->data, merging);
    // With If-Schedule-Tag-Match, the client wrote over a version whose
    // later changes, if any, were only the server merging replies
    // (§3.2.10): those answers are merged into what it sent.
    if (merging) stored = ical::merge_replies(stored, old->data, own);
    auto write = plan.put(own_object(p, old, stored), p.put.calendar.owner_id);
    return {write, std::move(stored), std::move(old)};
}

/// Plans what `p`'s write sends; scheduling then replaces the data of the
/// actor's own write (SCHEDULE-STATUS).
void plan_scheduling_of(Actor& actor, WritePlan& plan, const PreparedPut& p, PlannedPut& planned) {
    if (!p.schedules) return;
    std::optional<ical::SchedulingInfo> reread;
    if (planned.stored != p.put.data)
        if (icalcomponent* parsed = plan.parse(planned.stored)) reread = ical::scheduling_info(parsed);
    const auto* parsed = planned.stored == p.put.data ? &p.info : &reread;
    auto previous = planned.old ? planned.old->data : std::string();
    if (auto updated = plan_put_scheduling(actor, plan, planned.stored, previous, p.force, parsed)) {
        planned.stored = std::move(*updated);
        plan.put(own_object(p, planned.old, planned.stored), p.put.calendar.owner_id);
    }
}

/// Plans `puts` with their scheduling into one WritePlan and commits it,
/// planning again over what is there now when somebody wrote meanwhile.
std::vector<ObjectPutOutcome> commit_puts(Actor& actor, const std::vector<PreparedPut>& puts) {
    PlanHints hints;
    for (int attempt = 0; attempt < actor.limits.plan_attempts; ++attempt) {
        WritePlan plan(actor.store, hints);
        // The actor's own writes come first in the set: refused (a UID taken,
        // the calendar gone), one stops the commit before anything else is
        // applied.
        for (const auto& p : puts) {
            plan.keep_parse(p.put.data, p.parsed);
            // The version the caller read, when its parse came along: the
            // plan reads the version it writes over (attendee checks, the
            // reply) from it. Keyed by its text, so a version written
            // meanwhile is parsed afresh.
            if (p.put.current && p.put.current_parsed) plan.keep_parse(p.put.current->data, p.put.current_parsed);
        }
        std::vector<PlannedPut> planned;
        for (const auto& p : puts) planned.push_back(plan_own_write(actor, plan, p));
        for (std::size_t i = 0; i < puts.size(); ++i) plan_scheduling_of(actor, plan, puts[i], planned[i]);
        for (const auto& p : puts)
            if (p.put.idempotency) plan.record(*p.put.idempotency);
        auto result = actor.store.commit(plan.writes());
        if (result.idempotency_taken) throw Error(409, "a request with this Idempotency-Key finished meanwhile");
        if (result.status == StoreStatus::ok) {
            std::vector<ObjectPutOutcome> out;
            for (std::size_t i = 0; i < puts.size(); ++i) {
                const auto& r = result.results[planned[i].write];
                auto& stored = planned[i].stored;
                out.push_back({r.created, stored == puts[i].put.data ? r.etag : std::string(), r.schedule_tag,
                               std::nullopt});
                auto parsed = plan.parse_of(stored);
                out.back().stored = StoredVersion{std::move(stored), r.etag, std::move(parsed)};
            }
            return out;
        }
        auto own = std::find_if(planned.begin(), planned.end(),
                                [&](const PlannedPut& p) { return p.write == result.failed; });
        if (own != planned.end()) {
            const auto& p = puts[own - planned.begin()];
            if (result.status == StoreStatus::uid_conflict) throw uid_conflict(p.put, p.data, result.results.front());
            if (result.status == StoreStatus::not_found) throw Error(409, "the calendar went away");
            continue;  // written meanwhile: planned again over what is there now
        }
        auto next = plan.replan(result);
        if (!next) throw store_error(result.status);
        hints = std::move(*next);
    }
    throw changing_meanwhile();
}

}  // namespace

ObjectPutOutcome put_calendar_object(Actor& actor, ObjectPut put) {
    // Issue 25 §6: in another user's calendar the write schedules as its owner.
    if (auto owner = other_owner(actor, put.calendar)) {
        auto as = on_behalf_of(actor, *owner);
        return put_calendar_object(as, std::move(put));
    }
    std::vector<PreparedPut> one;
    one.push_back(prepare(actor, std::move(put)));
    auto& p = one.front();
    if (!p.schedules && !p.put.conditions.if_schedule_tag_match) {
        auto outcome = put_plain(actor, p.put, p.data);
        outcome.stored = StoredVersion{std::move(p.put.data), outcome.etag, std::move(p.parsed)};
        return outcome;
    }
    return commit_puts(actor, one).front();
}

std::vector<ObjectPutOutcome> put_calendar_objects(Actor& actor, std::vector<ObjectPut> puts) {
    if (auto owner = puts.empty() ? std::nullopt : other_owner(actor, puts.front().calendar)) {
        auto as = on_behalf_of(actor, *owner);
        return put_calendar_objects(as, std::move(puts));
    }
    std::vector<PreparedPut> prepared;
    for (auto& put : puts) prepared.push_back(prepare(actor, std::move(put)));
    if (prepared.empty()) return {};
    return commit_puts(actor, prepared);
}

ObjectPutOutcome answer_invitation(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                                   const std::string& name, const std::string& partstat) {
    static constexpr std::string_view answers[] = {"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"};
    if (std::find(std::begin(answers), std::end(answers), partstat) == std::end(answers))
        throw Error(400, "an answer is ACCEPTED, DECLINED, TENTATIVE or NEEDS-ACTION");
    return answer_invitation_with(actor, calendar, owner_name, name,
                                  [&](const std::string&, icalcomponent* parsed, const std::string& attendee) {
                                      return AnsweredCopy{ical::with_partstat(parsed, attendee, partstat), true};
                                  });
}

ObjectPutOutcome answer_invitation_with(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                                        const std::string& name, const AnswerEdit& answer) {
    // Issue 25 §5: a proxy-write delegate answers for the delegator.
    if (auto owner = other_owner(actor, calendar)) {
        auto as = on_behalf_of(actor, *owner);
        return answer_invitation_with(as, calendar, owner_name, name, answer);
    }
    // Written over the version read, read again when the organizer changed
    // it meanwhile.
    for (int attempt = 0; attempt < actor.limits.plan_attempts; ++attempt) {
        auto copy = actor.store.find_object(calendar.id, name, true);
        if (!copy) throw Error(404, "no such event");
        // Issue 24: the copy is parsed once, for what it says, for the
        // answer's edit and (cloned before the edit) for the plan's reads of
        // the version written over. As ical::scheduling_info(copy->data).
        auto parsed = ical::parse_calendar(copy->data);
        auto info = parsed.error || !parsed.calendar ? std::nullopt : ical::scheduling_info(parsed.calendar.get());
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
        if (ical::clones_faithfully(parsed.calendar.get()))
            put.current_parsed = std::shared_ptr<icalcomponent>(icalcomponent_new_clone(parsed.calendar.get()),
                                                                ical::ComponentDeleter{});
        auto answered = answer(copy->data, parsed.calendar.get(), me->address);
        put.data = std::move(answered.text);
        if (answered.of_parsed)
            put.parsed = std::shared_ptr<icalcomponent>(parsed.calendar.release(), ical::ComponentDeleter{});
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
    if (auto owner = other_owner(actor, collection)) {
        auto as = on_behalf_of(actor, *owner);
        return remove_object(as, collection, name, c, reply);
    }
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

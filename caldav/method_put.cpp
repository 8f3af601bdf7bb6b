// PUT of calendar object resources (RFC 4791 §5.3.2): validation, preconditions,
// conditional requests, UID uniqueness, all checked in one store transaction;
// and of resources of any type in plain WebDAV collections (RFC 4918 §9.7).
#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
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

void check_content_type(const Request& request) {
    auto type = request.headers.get("Content-Type");
    if (!type) return;  // some clients omit it; the data decides
    std::string t(*type);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t.rfind("text/calendar", 0) != 0)
        throw Error(403, Precondition::supported_calendar_data,
                    "calendar collections hold text/calendar only");
}

/// RFC 4791 §5.3.2.1 CALDAV:max-attendees-per-instance: refused rather than
/// stored and half scheduled, so that one PUT cannot make the server send
/// invitations to an unbounded list of addresses (issue 6 §7).
void check_attendee_count(const Context& ctx, std::size_t count) {
    if (count > ctx.limits.max_attendees_per_instance)
        throw Error(403, Precondition::max_attendees_per_instance,
                    std::to_string(count) + " attendees in one instance; at most " +
                        std::to_string(ctx.limits.max_attendees_per_instance) + " are accepted");
}

/// Stores `put`. With If-Schedule-Tag-Match, the client wrote over a version
/// whose later changes, if any, were only the server merging replies
/// (RFC 6638 §3.2.10): those answers are merged into what it sent instead of
/// being lost, checked against the ETag read so that a reply arriving
/// meanwhile is merged too (a few attempts).
PutResult put_merging_replies(Context& ctx, PutObject& put, std::optional<ObjectRecord>& old) {
    if (!put.if_schedule_tag_match || put.if_match || !old ||
        old->schedule_tag != *put.if_schedule_tag_match)
        return ctx.store.put_object(put);
    const std::string sent = put.data;  // as the client sent it, SCHEDULE-FORCE-SEND removed
    auto own = [&](std::string_view address) { return is_own_address(ctx.user, address); };
    for (int attempt = 0;; ++attempt) {
        put.data = ical::merge_replies(sent, old->data, own);
        put.if_match = old->etag;
        auto result = ctx.store.put_object(put);
        if (result.status != StoreStatus::etag_mismatch || attempt == 3) return result;
        old = ctx.store.find_object(put.collection_id, put.name, true);
        if (!old || old->schedule_tag != *put.if_schedule_tag_match) return result;
    }
}

/// What a scheduling object (RFC 6638 §3.1) changes in `put` before it is
/// stored: its Schedule-Tag renewed, as the owner's client changed it
/// (§3.2.10; a plain object has none); SCHEDULE-FORCE-SEND taken out (§7.3);
/// on the organizer's copy, rescheduled instances asking again (§3.2.8).
/// Returns the sends the client forced. `info` is the scheduling_info of
/// `put.data` as sent; it is read again when this changes the data.
ScheduleForce prepare_scheduling_object(Context& ctx, PutObject& put,
                                        const std::optional<ObjectRecord>& old,
                                        std::optional<ical::SchedulingInfo>& info) {
    ScheduleForce force;
    put.schedule_tag = info ? ScheduleTagChange::renew : ScheduleTagChange::clear;
    if (!info) return force;
    for (const auto& a : info->attendees)
        if (a.force_send) force.request.push_back(a.address);
    force.reply = info->organizer_force_send;
    put.data = ical::without_force_send(put.data);
    auto own = [&](std::string_view address) { return is_own_address(ctx.user, address); };
    if (old && own(info->organizer)) put.data = ical::reset_rescheduled(put.data, old->data, own);
    if (put.data != ctx.request.body) info = ical::scheduling_info(put.data);
    return force;
}

/// The If-Match / If-None-Match conditions of a PUT (RFC 7232 §3.1-3.2).
void set_conditions(const Context& ctx, PutObject& put) {
    if (auto m = if_match_of(ctx.request)) {
        if (*m == "*") {
            if (!ctx.target.exists) throw Error(412, "If-Match: * but the resource does not exist");
        } else {
            put.if_match = *m;
        }
    }
    if (auto n = ctx.request.headers.get("If-None-Match");
        n && n->find('*') != std::string_view::npos)
        put.if_none_match = true;
}

void check_quota(const Context& ctx) {
    auto used = ctx.store.used_bytes(ctx.user.id);
    if (static_cast<std::uint64_t>(used) + ctx.request.body.size() >
        ctx.limits.quota_bytes_per_user)
        throw Error(507, Precondition::quota_not_exceeded, "the calendar quota is exhausted");
}

/// PUT into a plain WebDAV collection (RFC 4918 §9.7): any content, stored as
/// sent with its Content-Type, bounded by max-resource-size like calendar data.
Response put_resource(Context& ctx) {
    if (ctx.request.body.size() > ctx.limits.max_resource_bytes)
        throw Error(413, "the resource is larger than " +
                             std::to_string(ctx.limits.max_resource_bytes) + " bytes");
    check_quota(ctx);
    PutObject put;
    put.collection_id = ctx.target.collection->id;
    put.name = ctx.path.object;
    put.data = ctx.request.body;
    auto type = ctx.request.headers.get("Content-Type");
    put.content_type = type && !type->empty() ? std::string(*type) : "application/octet-stream";
    set_conditions(ctx, put);
    auto result = ctx.store.put_object(put);
    switch (result.status) {
        case StoreStatus::ok:
            break;
        case StoreStatus::etag_mismatch:
            throw Error(412, "the conditional headers do not match the current state");
        case StoreStatus::not_found:
            throw Error(409, "the collection went away");
        default:
            throw store_error(result.status);
    }
    Response r;
    r.status = result.created ? 201 : 204;
    r.headers.set("ETag", "\"" + result.etag + "\"");
    return r;
}

}  // namespace

Response handle_put(Context& ctx) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::object)
        throw Error(405, "PUT creates calendar objects inside a calendar");
    if (!t.collection) throw Error(409, "the calendar does not exist");
    if (t.collection->kind == CollectionKind::plain) return put_resource(ctx);
    if (t.collection->kind != CollectionKind::calendar)
        throw Error(403, Precondition::supported_calendar_data,
                    "this collection does not hold calendar objects");
    if (ctx.request.body.size() > ctx.limits.max_resource_bytes)
        throw Error(403, Precondition::max_resource_size,
                    "the object is larger than " + std::to_string(ctx.limits.max_resource_bytes) +
                        " bytes");
    check_content_type(ctx.request);
    auto data = validate_calendar_data(ctx.request.body, ctx.limits);
    if (!component_allowed(t.collection->components, data.component))
        throw Error(403, Precondition::supported_calendar_component,
                    data.component + " is not accepted by this calendar");
    if (data.last_end && *data.last_end < ctx.limits.min_date_time)
        throw Error(403, Precondition::min_date_time, "the object ends before min-date-time");
    if (data.first_start && *data.first_start > ctx.limits.max_date_time)
        throw Error(403, Precondition::max_date_time, "the object starts after max-date-time");
    check_attendee_count(ctx, data.max_attendees);
    check_quota(ctx);

    PutObject put;
    put.collection_id = t.collection->id;
    put.name = ctx.path.object;
    put.uid = data.uid;
    put.component = data.component;
    put.data = ctx.request.body;
    put.first_start = data.first_start;
    put.last_end = data.last_end;
    put.instances = std::move(data.instances);
    set_conditions(ctx, put);

    put.if_schedule_tag_match = if_schedule_tag_match_of(ctx.request);

    // The version being replaced, for implicit scheduling (who was invited).
    std::string previous;
    // A scheduling object now, or one before this write (RFC 6638 §3.2.1.2:
    // the organizer taking ORGANIZER and the attendees out cancels it).
    bool names_organizer = ctx.request.body.find("ORGANIZER") != std::string::npos;
    bool schedules =
        names_organizer || (t.exists && t.object && !t.object->schedule_tag.empty());
    std::optional<ObjectRecord> old;
    if ((schedules || put.if_schedule_tag_match) && t.exists)
        old = ctx.store.find_object(t.collection->id, t.object->name, true);
    // Read from the parse that validated the data: no second parse.
    auto info = schedules ? ical::scheduling_info(data.parsed.get()) : std::nullopt;
    data.parsed.reset();
    auto force = prepare_scheduling_object(ctx, put, old, info);
    // An attendee's write over their copy (RFC 6638 §3.2.2.1); a stale
    // condition is left for the store to answer with 412.
    if (old && names_organizer && !put.if_none_match && !(put.if_match && *put.if_match != old->etag) &&
        !(put.if_schedule_tag_match && *put.if_schedule_tag_match != old->schedule_tag))
        check_attendee_change(ctx, put.data, old->data,
                              put.if_schedule_tag_match.has_value() && !put.if_match);
    // An organizer's write that schedules only by email is stored once, with
    // its SCHEDULE-STATUS and its mail, in one transaction.
    std::optional<ScheduleResult> early;
    if (schedules && !put.if_schedule_tag_match) {
        early = schedule_before_put(ctx, put.data, old ? old->data : std::string(), force, &info);
        if (early) {
            if (early->updated) put.data = std::move(*early->updated);
            put.mail = std::move(early->mail);
        }
    }
    const std::string sent_data = schedules && !early ? put.data : std::string();
    auto result = put_merging_replies(ctx, put, old);
    if (old) previous = old->data;
    switch (result.status) {
        case StoreStatus::ok:
            break;
        case StoreStatus::etag_mismatch:
            throw Error(412, "the conditional headers do not match the current state");
        case StoreStatus::uid_conflict:
            throw Error(403, Precondition::no_uid_conflict,
                        result.conflicting_name == put.name
                            ? "the UID of a calendar object resource cannot change (RFC 4791 §5.3.2.1)"
                            : "another object in this calendar has UID " + data.uid,
                        object_href(ctx.user.name, t.collection->name, result.conflicting_name));
        case StoreStatus::not_found:
            throw Error(409, "the calendar went away");
        default:
            throw store_error(result.status);
    }
    Response r;
    r.status = result.created ? 201 : 204;
    if (!result.schedule_tag.empty())
        r.headers.set("Schedule-Tag", schedule_tag_header(result.schedule_tag));
    if (schedules && !early) {
        // The data stored is the data read unless replies were merged into it.
        auto scheduled = schedule_after_put(ctx, put.data, previous, force,
                                            put.data == sent_data ? &info : nullptr);
        if (scheduled.updated) {
            // SCHEDULE-STATUS recorded on the organizer's copy: what the client
            // sent is no longer what is stored, so no ETag (RFC 6638 §3.2).
            // The email it reports as sent (1.1) is queued in the same write.
            put.data = std::move(*scheduled.updated);
            put.if_match = result.etag;
            put.if_none_match = false;
            put.if_schedule_tag_match.reset();
            put.schedule_tag = ScheduleTagChange::keep;  // the server's own bookkeeping
            put.mail = std::move(scheduled.mail);
            if (ctx.store.put_object(put).status == StoreStatus::ok) return r;
            // A concurrent write replaced the object: the messages still
            // describe what this request stored, so they go out on their own.
            scheduled.mail = std::move(put.mail);
        }
        if (!scheduled.mail.empty() && ctx.store.queue_mail(scheduled.mail) != StoreStatus::ok)
            throw Error(503,
                        "the database is busy; the object is stored but its email was not queued");
    }
    // Replies merged in: what is stored is not what the client sent, so no ETag.
    if (put.data == ctx.request.body) r.headers.set("ETag", "\"" + result.etag + "\"");
    return r;
}

}  // namespace caldav

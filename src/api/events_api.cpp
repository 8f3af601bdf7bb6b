// /api/v1/events: create, read, change by scope, delete, answer and list
// events (issue 24), each one call of caldav/event_service.hpp.
#include <algorithm>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "caldav/event_service.hpp"
#include "caldav/privileges.hpp"
#include "caldav/reminders.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/schedule_collections.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/api/event_json.hpp"
#include "src/api/idempotency.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// A calendar shared with the caller by id "OWNER:NAME" (issue 25 §6, as
/// /api/v1/calendars lists it), or nullopt for an id of another form. 404
/// when there is no such calendar; whether they may add events to it is
/// caldav::create_event's to check (bind through their grant).
std::optional<std::pair<caldav::CollectionRecord, std::string>> shared_target(Call& call, const std::string& id) {
    auto colon = id.find(':');
    if (colon == std::string::npos) return std::nullopt;
    auto owner = call.actor.store.find_principal(id.substr(0, colon));
    auto c = owner ? call.actor.store.find_collection(owner->id, id.substr(colon + 1)) : std::nullopt;
    if (!c || c->kind != caldav::CollectionKind::calendar || !caldav::takes_invitations(*c))
        throw ApiError(404, "not-found", "no calendar '" + id.substr(0, 64) + "' is shared with you");
    return std::pair{std::move(*c), owner->name};
}

/// The calendar `calendar_id` of the caller (or their default calendar), as
/// one they may add events to.
caldav::CollectionRecord target_calendar(Call& call, const std::optional<std::string>& calendar_id) {
    auto& actor = call.actor;
    std::optional<caldav::CollectionRecord> c;
    if (calendar_id) {
        c = actor.store.find_collection(actor.principal.id, *calendar_id);
        if (!c || c->kind != caldav::CollectionKind::calendar)
            throw ApiError(404, "not-found", "you have no calendar '" + calendar_id->substr(0, 64) + "'");
        if (!caldav::takes_invitations(*c))
            throw ApiError(422, "validation", "calendar '" + *calendar_id + "' does not hold events", "calendar_id");
    } else {
        actor.store.provision_home(actor.principal.id);
        c = caldav::default_calendar(actor.store, actor.principal, actor.limits);
        if (!c) throw ApiError(409, "conflict", "you have no calendar that holds events; create one first");
    }
    auto held = caldav::privileges_on_collection(actor.principal, actor.principal, *c);
    if (!caldav::holds(held, caldav::Privileges::bind))
        throw ApiError(403, "forbidden", "you may not add events to this calendar");
    return *c;
}

/// The event `id` names: an event id, or an instance id ("UID_20240116T150000Z").
struct Target {
    caldav::EventLocation where;
    std::optional<std::int64_t> instance;
};

std::optional<std::int64_t> instance_suffix(const std::string& id, std::string& uid) {
    auto underscore = id.rfind('_');
    if (underscore == std::string::npos || id.size() - underscore != 17) return std::nullopt;
    auto stamp = id.substr(underscore + 1);
    auto t = ical::parse_rfc3339(stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" +
                                 stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" + stamp.substr(13, 2) + "Z");
    if (!t || stamp[8] != 'T' || stamp[15] != 'Z') return std::nullopt;
    uid = id.substr(0, underscore);
    return t;
}

Target find_target(Call& call, const std::string& id) {
    if (auto where = caldav::find_event(call.actor, id)) return {std::move(*where), std::nullopt};
    std::string uid;
    if (auto instance = instance_suffix(id, uid))
        if (auto where = caldav::find_event(call.actor, uid)) return {std::move(*where), instance};
    throw ApiError(404, "not-found", "no event with this id in your calendars");
}

/// "update_scope" as the service's scope; `field` names it in a 422.
caldav::EditScope read_scope(const std::optional<std::string>& text, const std::string& field) {
    if (!text || *text == "all") return caldav::EditScope::all;
    if (*text == "this_instance") return caldav::EditScope::this_instance;
    if (*text == "all_future") return caldav::EditScope::all_future;
    throw ApiError(422, "validation", field + " must be this_instance, all_future or all", field);
}

/// The ETag an If-Match header names (quotes and W/ removed); "*" stays.
std::optional<std::string> if_match(const Call& call) {
    auto v = call.request.headers.get("If-Match");
    if (!v) return std::nullopt;
    std::string_view s = *v;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.starts_with("W/")) s.remove_prefix(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return std::string(s);
}

int horizon(const Call& call) { return static_cast<int>(call.config.conflict_horizon_days); }

std::string event_path(const std::string& id) {
    return "/api/v1/events/" + caldav::encode_segment(id);
}

/// The reads a write request makes before its commit (the calendar, the
/// conflict check, the invitations' planning: some thirty lookups) share one
/// snapshot and one read transaction instead of each beginning its own; the
/// commit ends it (Store::read_scope), and what is read after it is new.
std::unique_ptr<caldav::ReadScope> planning_snapshot(Call& call) { return call.actor.store.read_scope(); }

}  // namespace

caldav::Response create_event(Call& call) {
    auto snapshot = planning_snapshot(call);
    auto body = call.body();
    Fields f(body);
    auto spec = read_event_spec(body);
    auto calendar_id = f.string("calendar_id");
    auto shared = calendar_id ? shared_target(call, *calendar_id) : std::nullopt;
    auto calendar = shared ? shared->first : target_calendar(call, calendar_id);
    const auto owner_name = shared ? shared->second : call.actor.principal.name;
    // Issue 26 §6: no "reminders" (an empty array is none): the calendar's default alarms.
    if (!f.has("reminders")) spec.reminders = caldav::default_reminders(call.actor.store, calendar, spec.all_day);
    bool reject = f.boolean("reject_conflicts").value_or(false);
    spec.organizer_email = call.actor.principal.email;
    spec.organizer_name = call.actor.principal.display_name;
    auto key = idempotency_key(call);
    std::optional<caldav::IdempotencyRecord> record;
    if (key) {
        if (auto replay = replayed(call, *key)) return std::move(*replay);
        spec.uid = idempotent_uid(call, *key);
        record = new_record(call, *key, spec.uid);
    }
    caldav::CreatedEvent created;
    try {
        created = caldav::create_event(call.actor, calendar, owner_name, std::move(spec), reject,
                                       horizon(call), call.now, std::move(record));
    } catch (const caldav::Error& e) {
        // The same key sent twice at once: the second finds the first's event.
        if (key && e.status() == 412)
            if (auto replay = replayed(call, *key)) return std::move(*replay);
        throw;
    }
    // The answer reads the commit's own parse of what it stored (no second
    // parse); a create without one reads the text.
    const auto& text = created.where.object.data;
    auto occurrences = created.parsed ? ical::read_event_occurrences(text, created.parsed.get(), call.now,
                                                                     call.now + 1, ical::ExpandLimits{})
                                      : ical::read_event_occurrences(text, call.now, call.now + 1, ical::ExpandLimits{});
    auto view = occurrences.has_master ? std::optional(occurrences.views.front()) : ical::read_event(text);
    if (!view) throw ApiError(500, "internal", "the stored event cannot be read back");
    auto out = event_json(created.where, *view);
    out["conflicts"] = conflicts_json(created.conflicts);
    auto r = json_response(201, out);
    r.headers.set("Location", event_path(view->uid));
    if (!created.where.object.etag.empty()) r.headers.set("ETag", "\"" + created.where.object.etag + "\"");
    return r;
}

caldav::Response get_event(Call& call) {
    auto target = find_target(call, call.segments[1]);
    auto view = ical::read_event(target.where.object.text(), target.instance);
    if (!view) throw ApiError(404, "not-found", "the series has no such instance");
    auto r = json_response(200, event_json(target.where, *view));
    r.headers.set("ETag", "\"" + target.where.object.etag + "\"");
    return r;
}

caldav::Response update_event(Call& call) {
    auto body = call.body();
    Fields f(body);
    auto patch = read_event_patch(body);
    auto target = find_target(call, call.segments[1]);
    auto scope = read_scope(f.string("update_scope"), "update_scope");
    auto instance = f.time("instance_date");
    if (!instance) instance = target.instance;
    if (scope != caldav::EditScope::all && !instance)
        throw ApiError(422, "validation", "instance_date is required for this_instance and all_future",
                       "instance_date");
    if (patch.time_zone) checked_zone(*patch.time_zone, "time_zone");
    auto edited = caldav::update_event(call.actor, target.where, patch, scope, instance, if_match(call),
                                       f.boolean("reject_conflicts").value_or(false), horizon(call), call.now);
    json::object out;
    out["event_id"] = edited.event_id;
    out["exception_id"] = edited.exception_id ? json::value(*edited.exception_id) : json::value(nullptr);
    out["new_event_id"] = edited.new_event_id ? json::value(*edited.new_event_id) : json::value(nullptr);
    out["message"] = scope == caldav::EditScope::this_instance ? "the instance was changed"
                     : scope == caldav::EditScope::all_future
                         ? "the series now ends before the instance; a new series starts with it"
                         : "the event was changed";
    out["conflicts"] = conflicts_json(edited.conflicts);
    out["etag"] = edited.etag;
    auto r = json_response(200, out);
    if (!edited.etag.empty()) r.headers.set("ETag", "\"" + edited.etag + "\"");
    return r;
}

caldav::Response delete_event(Call& call) {
    auto target = find_target(call, call.segments[1]);
    auto scope = read_scope(call.param("update_scope"), "update_scope");
    std::optional<std::int64_t> instance = target.instance;
    if (auto text = call.param("instance_date")) {
        instance = ical::parse_rfc3339(*text);
        if (!instance) throw ApiError(422, "validation", "instance_date must be an RFC 3339 date-time", "instance_date");
    }
    if (scope == caldav::EditScope::all && target.instance) scope = caldav::EditScope::this_instance;
    if (scope != caldav::EditScope::all && !instance)
        throw ApiError(422, "validation", "instance_date is required for this_instance and all_future",
                       "instance_date");
    caldav::delete_event(call.actor, target.where, scope, instance, if_match(call), call.now);
    caldav::Response r;
    r.status = 204;
    return r;
}

caldav::Response rsvp_event(Call& call) {
    auto snapshot = planning_snapshot(call);
    auto body = call.body();
    Fields f(body);
    auto response = f.required_string("response");
    std::string partstat = response == "accepted"    ? "ACCEPTED"
                           : response == "declined"  ? "DECLINED"
                           : response == "tentative" ? "TENTATIVE"
                                                     : "";
    if (partstat.empty())
        throw ApiError(422, "validation", "response must be accepted, declined or tentative", "response");
    auto target = find_target(call, call.segments[1]);
    auto instance = f.time("instance_date");
    if (!instance) instance = target.instance;
    auto attendee = caldav::rsvp_event(call.actor, target.where, partstat, instance,
                                       f.string("comment").value_or(""), call.now);
    json::object out;
    out["event_id"] = target.where.object.uid;
    out["attendee"] = attendee;
    out["status"] = response;
    out["instance_date"] = instance ? json::value(time_json(*instance)) : json::value(nullptr);
    out["updated_at"] = time_json(call.now);
    return json_response(200, out);
}

caldav::Response list_events(Call& call) {
    auto zone = checked_zone(call.param("time_zone").value_or("UTC"), "time_zone");
    auto start = call.time_param("start", zone);
    auto end = call.time_param("end", zone);
    if (!start || !end) throw ApiError(400, "invalid-request", "start and end are required query parameters");
    if (*end <= *start) throw ApiError(422, "validation", "end must be after start", "end");
    if (*end - *start > std::int64_t(call.config.max_list_days) * 86400)
        throw ApiError(422, "validation",
                       "a listing spans at most api.list-days (" + std::to_string(call.config.max_list_days) + " days)",
                       "end");
    std::size_t limit = call.config.list_page_size;
    if (auto text = call.param("limit")) {
        char* stop = nullptr;
        long n = std::strtol(text->c_str(), &stop, 10);
        if (text->empty() || *stop || n < 1)
            throw ApiError(400, "invalid-request", "limit must be a positive integer");
        limit = std::min<std::size_t>(static_cast<std::size_t>(n), limit);
    }
    std::vector<std::string> calendars;
    if (auto c = call.param("calendar_id")) calendars.push_back(*c);
    // The cursor is the position after the last instance sent: its start
    // and event id, so that pages stay put when events change between them.
    std::optional<caldav::ListCursor> after;
    bool bad_cursor = false;
    if (auto cursor = call.param("cursor")) {
        auto dot = cursor->find('.');
        char* stop = nullptr;
        long long at = std::strtoll(cursor->c_str(), &stop, 10);
        if (dot == std::string::npos || stop != cursor->c_str() + dot)
            bad_cursor = true;
        else
            after = caldav::ListCursor{at, cursor->substr(dot + 1)};
    }
    // Only the page's instances are copied out of the listing (the largest
    // week holds some 850); a bad cursor is told after the listing's own
    // errors, as before.
    auto page = caldav::list_events_page(call.actor, *start, *end, calendars, after, limit);
    if (bad_cursor) throw ApiError(400, "invalid-request", "cursor is not one this server gave");
    const auto& shown = page.instances;
    // The page is built in one arena, freed at once after it is written:
    // some 20 allocations per instance otherwise.
    json::monotonic_resource arena;
    json::storage_ptr storage(&arena);
    json::array events(storage);
    events.reserve(shown.size());
    for (const auto& i : shown) events.push_back(instance_json(i, storage));
    json::value out(json::object_kind, storage);
    auto& o = out.get_object();
    o["events"] = std::move(events);
    o["total"] = page.total;
    o["time_zone"] = zone;
    o["next_cursor"] = page.more ? json::value(std::to_string(shown.back().start) + "." + shown.back().event_id)
                                 : json::value(nullptr);
    return json_response(200, out);  // `out` is a value: no copy to pass it
}

}  // namespace server::api

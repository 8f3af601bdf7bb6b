// /api/v1/availability: busy and free time of several people and rooms, their
// common free slots, and meeting-time suggestions (issue 24), over
// caldav/availability.hpp. Busy time only: never what the events are.
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>

#include "caldav/availability.hpp"
#include "caldav/privileges.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/api/event_json.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

json::array periods_json(const std::vector<caldav::Period>& periods, const json::storage_ptr& storage) {
    json::array a(storage);
    a.reserve(periods.size());
    for (const auto& p : periods) {
        json::object o(2, storage);
        o.emplace("start", time_json(p.start, storage));
        o.emplace("end", time_json(p.end, storage));
        a.push_back(std::move(o));
    }
    return a;
}

/// The range of a check or suggestion, within api.availability-days.
std::pair<std::int64_t, std::int64_t> read_range(const Call& call, const Fields& f) {
    auto start = f.required_time("start_time");
    auto end = f.required_time("end_time");
    if (end <= start) throw ApiError(422, "validation", "end_time must be after start_time", "end_time");
    if (end - start > std::int64_t(call.config.max_availability_days) * 86400)
        throw ApiError(422, "validation",
                       "the range spans at most api.availability-days (" +
                           std::to_string(call.config.max_availability_days) + " days)",
                       "end_time");
    return {start, end};
}

/// The calendar users `emails` name, in order; nullopt for an address this
/// server does not host. 403 when the caller may not see one's busy time.
std::vector<std::optional<caldav::PrincipalRecord>> read_users(Call& call, const std::vector<std::string>& emails,
                                                               const std::string& field) {
    std::vector<std::optional<caldav::PrincipalRecord>> out;
    for (std::size_t i = 0; i < emails.size(); ++i) {
        std::string email = emails[i].starts_with("mailto:") ? emails[i].substr(7) : emails[i];
        if (email.find('@') == std::string::npos) {
            auto at = field + "[" + std::to_string(i) + "]";
            throw ApiError(422, "validation", at + " is not an email address", at);
        }
        auto who = call.actor.store.find_principal_by_email(email);
        if (who && !caldav::holds(caldav::free_busy_privileges(call.actor.principal, *who, call.actor.limits.free_busy_rule),
                                  caldav::Privileges::read_free_busy)) {
            auto at = field + "[" + std::to_string(i) + "]";
            throw ApiError(403, "forbidden", "you may not see the busy time of " + email, at);
        }
        out.push_back(std::move(who));
    }
    return out;
}

std::vector<std::string> required_list(const Fields& f, const char* key, std::size_t max, bool required) {
    auto list = f.strings(key).value_or(std::vector<std::string>{});
    if (required && list.empty()) throw ApiError(422, "validation", std::string(key) + " must name someone", key);
    if (list.size() > max)
        throw ApiError(422, "validation",
                       std::string(key) + " names more than api.availability-users (" + std::to_string(max) + ")", key);
    return list;
}

/// "HH:MM" as minutes after midnight; 422 naming `field` otherwise.
std::optional<int> time_of_day(const Fields& f, const char* key) {
    auto text = f.string(key);
    if (!text) return std::nullopt;
    int h = 0, m = 0;
    char tail = 0;
    if (text->size() != 5 || std::sscanf(text->c_str(), "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 ||
        m < 0 || m > 59 || (h == 24 && m != 0))
        throw ApiError(422, "validation", f.path(key) + " must be a time of day HH:MM", f.path(key));
    return h * 60 + m;
}

}  // namespace

caldav::Response check_availability(Call& call) {
    // A check reads some ten rows per user (principal, calendars and their
    // transparency, inbox, time zone, time index); in one snapshot they are
    // one read transaction rather than one each. POSTs run on the handler
    // pool, where the server opens no scope of its own.
    auto snapshot = call.actor.store.read_scope();
    auto body = call.body();
    Fields f(body);
    auto emails = required_list(f, "users", call.config.max_availability_users, true);
    auto [start, end] = read_range(call, f);
    auto zone = checked_zone(f.string("time_zone").value_or("UTC"), "time_zone");
    auto users = read_users(call, emails, "users");
    // The answer is built in one arena, freed at once after it is written.
    json::monotonic_resource arena;
    json::storage_ptr storage(&arena);
    json::object availability(storage);
    std::vector<std::vector<caldav::Period>> free;
    for (std::size_t i = 0; i < users.size(); ++i) {
        json::object entry(storage);
        if (!users[i]) {
            entry["known"] = false;
            entry["free_slots"] = json::array(storage);
            entry["busy_slots"] = json::array(storage);
        } else {
            auto a = caldav::availability_of(call.actor.store, call.actor.limits, *users[i], start, end,
                                             call.config.working_hours);
            entry["known"] = true;
            entry["free_slots"] = periods_json(a.free, storage);
            entry["busy_slots"] = periods_json(a.busy, storage);
            entry["working_hours"] = periods_json(a.working, storage);
            entry["time_zone"] = a.time_zone;
            free.push_back(std::move(a.free));
        }
        availability[emails[i]] = std::move(entry);
    }
    json::value answer(json::object_kind, storage);
    auto& out = answer.get_object();
    out["time_zone"] = zone;
    out["availability"] = std::move(availability);
    out["common_free_slots"] = periods_json(caldav::common_free(free), storage);
    return json_response(200, answer);  // a value: passed without a copy
}

caldav::Response suggest_times(Call& call) {
    auto snapshot = call.actor.store.read_scope();  // as check_availability
    auto body = call.body();
    Fields f(body);
    std::size_t max = call.config.max_availability_users;
    auto required = required_list(f, "users", max, true);
    auto optional = required_list(f, "optional_users", max, false);
    if (required.size() + optional.size() > max)
        throw ApiError(422, "validation", "users and optional_users name more than api.availability-users together",
                       "optional_users");
    auto [start, end] = read_range(call, f);
    caldav::SuggestRequest request;
    request.start = start;
    request.end = end;
    request.time_zone = checked_zone(f.string("time_zone").value_or("UTC"), "time_zone");
    auto duration = f.integer("duration_minutes", 5, 24 * 60);
    if (!duration) throw ApiError(422, "validation", "duration_minutes is required", "duration_minutes");
    request.duration = *duration * 60;
    if (const auto* prefs = f.object("preferences")) {
        Fields p(*prefs, "preferences");
        request.working_hours_only = p.boolean("working_hours_only").value_or(false);
        request.earliest_minute = time_of_day(p, "earliest_time");
        request.latest_minute = time_of_day(p, "latest_time");
        request.buffer = p.integer("buffer_minutes", 0, 240).value_or(0) * 60;
    }
    json::array unknown;
    auto collect = [&](const std::vector<std::string>& emails, const char* field, auto& into) {
        auto users = read_users(call, emails, field);
        for (std::size_t i = 0; i < users.size(); ++i) {
            if (users[i])
                into.push_back(std::move(*users[i]));
            else
                unknown.emplace_back(emails[i]);
        }
    };
    collect(required, "users", request.required);
    collect(optional, "optional_users", request.optional);
    auto found = caldav::suggest_times(call.actor.store, call.actor.limits, request, call.config.working_hours);
    json::array suggestions;
    for (const auto& s : found) {
        json::array free_users, busy_users;
        for (const auto& u : s.free) free_users.emplace_back(u);
        for (const auto& u : s.busy) busy_users.emplace_back(u);
        suggestions.push_back(json::object{{"start", time_json(s.slot.start)},
                                           {"end", time_json(s.slot.end)},
                                           {"required_free", s.required_free == request.required.size()},
                                           {"free_users", std::move(free_users)},
                                           {"busy_users", std::move(busy_users)},
                                           {"optional_free", s.optional_free},
                                           {"in_working_hours", s.in_working_hours}});
    }
    json::object out;
    out["time_zone"] = request.time_zone;
    out["suggestions"] = std::move(suggestions);
    out["unknown_users"] = std::move(unknown);
    return json_response(200, json::value(std::move(out)));  // moved, not copied into a value
}

}  // namespace server::api

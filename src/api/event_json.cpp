// Events in the JSON API's shapes (src/api/event_json.hpp).
#include "src/api/event_json.hpp"

#include "caldav/resource_path.hpp"
#include "src/api/api_error.hpp"
#include "src/api/json_input.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// The longest a reminder may come before its event: four weeks.
constexpr std::int64_t max_reminder_minutes = 4 * 7 * 24 * 60;

ical::RecurrenceSpec read_recurrence(const json::object& o) {
    Fields f(o, "recurrence");
    ical::RecurrenceSpec r;
    r.frequency = f.required_string("frequency");
    r.interval = static_cast<int>(f.integer("interval", 1, 1000).value_or(1));
    r.until = f.time("until");
    if (auto count = f.integer("count", 1, 100000)) r.count = static_cast<int>(*count);
    r.by_day = f.strings("by_day").value_or(std::vector<std::string>{});
    for (auto n : f.integers("by_month_day", -31, 31).value_or(std::vector<std::int64_t>{}))
        r.by_month_day.push_back(static_cast<int>(n));
    for (auto n : f.integers("by_month", 1, 12).value_or(std::vector<std::int64_t>{}))
        r.by_month.push_back(static_cast<int>(n));
    for (auto n : f.integers("by_set_pos", -366, 366).value_or(std::vector<std::int64_t>{}))
        r.by_set_pos.push_back(static_cast<int>(n));
    r.week_start = f.string("week_start").value_or("");
    return r;
}

std::vector<ical::AttendeeSpec> read_attendees(const json::array& a) {
    std::vector<ical::AttendeeSpec> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        Fields f(a[i].get_object(), "attendees[" + std::to_string(i) + "]");
        ical::AttendeeSpec s;
        s.email = f.required_string("email");
        if (s.email.starts_with("mailto:")) s.email.erase(0, 7);
        s.name = f.string("name").value_or("");
        s.optional = f.boolean("optional").value_or(false);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<ical::ReminderSpec> read_reminders(const json::array& a) {
    std::vector<ical::ReminderSpec> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        Fields f(a[i].get_object(), "reminders[" + std::to_string(i) + "]");
        ical::ReminderSpec r;
        auto minutes = f.integer("minutes_before", 0, max_reminder_minutes);
        if (!minutes) throw ApiError(422, "validation", f.path("minutes_before") + " is required", f.path("minutes_before"));
        r.minutes_before = static_cast<int>(*minutes);
        r.method = f.string("method").value_or("push");
        out.push_back(std::move(r));
    }
    return out;
}

json::value recurrence_json(const std::optional<ical::RecurrenceSpec>& r) {
    if (!r) return nullptr;
    json::object o;
    o["frequency"] = r->frequency;
    o["interval"] = r->interval;
    o["until"] = r->until ? json::value(time_json(*r->until)) : json::value(nullptr);
    o["count"] = r->count ? json::value(*r->count) : json::value(nullptr);
    json::array by_day;
    for (const auto& d : r->by_day) by_day.emplace_back(d);
    o["by_day"] = std::move(by_day);
    auto ints = [](const std::vector<int>& v) {
        json::array a;
        for (int n : v) a.emplace_back(n);
        return a;
    };
    o["by_month_day"] = ints(r->by_month_day);
    o["by_month"] = ints(r->by_month);
    o["by_set_pos"] = ints(r->by_set_pos);
    o["week_start"] = r->week_start.empty() ? json::value(nullptr) : json::value(r->week_start);
    return o;
}

}  // namespace

json::string time_json(std::int64_t utc, json::storage_ptr storage) {
    return json::string(ical::format_rfc3339(utc), std::move(storage));
}

ical::EventSpec read_event_spec(const json::object& body) {
    Fields f(body);
    ical::EventSpec spec;
    spec.title = f.required_string("title");
    spec.description = f.string("description").value_or("");
    spec.location = f.string("location").value_or("");
    spec.start = f.required_time("start_time");
    spec.end = f.required_time("end_time");
    spec.time_zone = f.string("time_zone").value_or("UTC");
    spec.all_day = f.boolean("all_day").value_or(false);
    if (const auto* a = f.objects("attendees")) spec.attendees = read_attendees(*a);
    if (const auto* r = f.object("recurrence")) spec.recurrence = read_recurrence(*r);
    if (const auto* a = f.objects("reminders")) spec.reminders = read_reminders(*a);
    return spec;
}

ical::EventPatch read_event_patch(const json::object& body) {
    Fields f(body);
    ical::EventPatch patch;
    patch.title = f.string("title");
    if (patch.title && patch.title->empty()) throw ApiError(422, "validation", "title may not be empty", "title");
    patch.description = f.string("description");
    patch.location = f.string("location");
    patch.start = f.time("start_time");
    patch.end = f.time("end_time");
    patch.time_zone = f.string("time_zone");
    if (const auto* a = f.objects("attendees")) patch.attendees = read_attendees(*a);
    if (auto it = body.find("recurrence"); it != body.end()) {
        if (it->value().is_null())
            patch.recurrence = std::optional<ical::RecurrenceSpec>();
        else
            patch.recurrence = std::optional<ical::RecurrenceSpec>(read_recurrence(*f.object("recurrence")));
    }
    if (const auto* a = f.objects("reminders")) patch.reminders = read_reminders(*a);
    return patch;
}

std::string status_of(const std::string& partstat) { return caldav::api_status(partstat); }

json::object event_json(const caldav::EventLocation& where, const ical::EventView& view) {
    json::object o;
    o["event_id"] = view.uid;
    o["calendar_id"] = where.calendar.name;
    o["title"] = view.title;
    o["description"] = view.description;
    o["location"] = view.location;
    o["start_time"] = time_json(view.start);
    o["end_time"] = time_json(view.end);
    o["time_zone"] = view.time_zone.empty() ? json::value(nullptr) : json::value(view.time_zone);
    o["all_day"] = view.all_day;
    o["is_recurring"] = view.recurrence.has_value();
    o["recurrence"] = recurrence_json(view.recurrence);
    o["recurrence_id"] = view.recurrence_id ? json::value(time_json(*view.recurrence_id)) : json::value(nullptr);
    if (view.organizer_email.empty())
        o["organizer"] = nullptr;
    else
        o["organizer"] = json::object{{"email", view.organizer_email}};
    json::array attendees;
    for (const auto& a : view.attendees) {
        json::object j{{"email", a.email}, {"status", status_of(a.partstat)}, {"optional", a.optional}};
        if (!a.name.empty()) j["name"] = a.name;
        if (a.is_room) j["is_room"] = true;
        attendees.push_back(std::move(j));
    }
    o["attendees"] = std::move(attendees);
    json::array reminders;
    for (const auto& r : view.reminders)
        reminders.push_back(json::object{{"minutes_before", r.minutes_before}, {"method", r.method}});
    o["reminders"] = std::move(reminders);
    o["calendar_url"] = caldav::object_href(where.owner_name, where.calendar.name, where.object.name);
    o["etag"] = where.object.etag;
    o["updated_at"] = time_json(view.last_modified ? view.last_modified : where.object.modified_at);
    return o;
}

json::object conflict_json(const caldav::Conflict& c) {
    json::object o;
    o["event_id"] = c.event_id;
    if (!c.calendar_id.empty()) o["calendar_id"] = c.calendar_id;
    if (!c.title.empty()) o["title"] = c.title;
    o["who"] = c.who;
    o["start_time"] = time_json(c.start);
    o["end_time"] = time_json(c.end);
    return o;
}

json::array conflicts_json(const std::vector<caldav::Conflict>& conflicts) {
    json::array a;
    for (const auto& c : conflicts) a.push_back(conflict_json(c));
    return a;
}

json::object instance_json(const caldav::ListedInstance& i, json::storage_ptr storage) {
    json::object o(16, storage);  // the members below: no rehash while they go in
    auto text = [&](std::string_view s) { return json::value(json::string(s, storage)); };
    auto time = [&](std::int64_t t) { return json::value(time_json(t, storage)); };
    o["event_id"] = text(i.event_id);
    o["calendar_id"] = text(i.calendar_id);
    o["title"] = text(i.view->title);
    o["location"] = text(i.view->location);
    o["start_time"] = time(i.start);
    o["end_time"] = time(i.end);
    o["all_day"] = i.view->all_day;
    o["time_zone"] = i.view->time_zone.empty() ? json::value(nullptr) : text(i.view->time_zone);
    o["is_recurring"] = i.is_recurring;
    o["instance_date"] = i.instance_date ? time(*i.instance_date) : json::value(nullptr);
    o["exception_id"] =
        i.instance_date ? text(caldav::instance_id(i.event_id, *i.instance_date)) : json::value(nullptr);
    o["attendees_count"] = i.view->attendees.size();
    o["my_status"] = i.my_status.empty() ? json::value(nullptr) : text(i.my_status);
    o["conflicts"] = i.conflicts;
    o["status"] = i.view->status == "CANCELLED"   ? "cancelled"
                  : i.view->status == "TENTATIVE" ? "tentative"
                                                  : "confirmed";
    return o;
}

}  // namespace server::api

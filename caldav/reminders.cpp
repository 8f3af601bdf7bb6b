// Reminder jobs of calendar objects (issue 26): firings the server owns,
// their payloads and delivery keys.
#include "caldav/reminders.hpp"

#include <charconv>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/xml/element.hpp"
#include "ical/alarms.hpp"
#include "ical/local_time.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

namespace {

constexpr std::string_view payload_tag = "kalends-reminder-1";

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        auto comma = s.find(',');
        out.emplace_back(s.substr(0, comma));
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

std::optional<std::int64_t> number(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

/// The method the server delivers a firing by, or nullopt when the alarm is
/// the clients' to fire. `display_alarms`: the calendar's choice, else the policy's.
std::optional<ReminderMethod> method_of(const ical::AlarmFiring& f, bool display_alarms) {
    if (f.action == "EMAIL") return ReminderMethod::email;
    if (f.action != "DISPLAY") return std::nullopt;
    if (f.method == "push" || display_alarms) return ReminderMethod::push;
    return std::nullopt;
}

/// The zone floating times of `source` remind in: its calendar's
/// calendar-timezone when libical knows it, else its owner's zone (that of
/// their default calendar, as the API's availability reads it), else the
/// policy's.
std::string floating_zone_of(const ReminderSource& source, const ReminderPolicy& policy) {
    if (!source.calendar_timezone.empty())
        if (auto zone = ical::zone_of_calendar_timezone(source.calendar_timezone)) return *zone;
    if (!source.owner_time_zone.empty()) return std::string(source.owner_time_zone);
    return policy.time_zone;
}

}  // namespace

std::string reminder_payload(const Reminder& r) {
    std::string out(payload_tag);
    auto line = [&](const std::string& v) { out += "\n" + v; };
    line(std::to_string(r.collection_id));
    line(r.owner_name);
    line(r.collection_name);
    line(r.object_name);
    line(r.recurrence_id);
    line(std::to_string(r.instance_start));
    line(std::to_string(r.instance_end));
    line(std::to_string(r.trigger_at));
    line(r.method == ReminderMethod::email ? "email" : "push");
    line(joined(r.recipients));
    line(r.alarm);
    line(std::to_string(r.repetition));
    return out;
}

std::optional<Reminder> reminder_of_payload(std::string_view payload) {
    std::vector<std::string_view> lines;
    while (true) {
        auto nl = payload.find('\n');
        lines.push_back(payload.substr(0, nl));
        if (nl == std::string_view::npos) break;
        payload.remove_prefix(nl + 1);
    }
    if (lines.size() != 13 || lines[0] != payload_tag) return std::nullopt;
    Reminder r;
    auto collection = number(lines[1]), start = number(lines[6]), end = number(lines[7]), at = number(lines[8]),
         repetition = number(lines[12]);
    if (!collection || !start || !end || !at || !repetition) return std::nullopt;
    if (lines[9] != "email" && lines[9] != "push") return std::nullopt;
    r.collection_id = *collection;
    r.owner_name = lines[2];
    r.collection_name = lines[3];
    r.object_name = lines[4];
    r.recurrence_id = lines[5];
    r.instance_start = *start;
    r.instance_end = *end;
    r.trigger_at = *at;
    r.method = lines[9] == "email" ? ReminderMethod::email : ReminderMethod::push;
    r.recipients = split_commas(lines[10]);
    r.alarm = lines[11];
    r.repetition = static_cast<int>(*repetition);
    return r;
}

std::string reminder_delivery_key(const Reminder& r) {
    return "reminder/" + std::to_string(r.collection_id) + "/" + r.object_name + "/" + r.recurrence_id + "/" +
           r.alarm + "/" + std::to_string(r.trigger_at) + "/" + std::to_string(r.repetition) + "/" +
           (r.method == ReminderMethod::email ? "email" : "push");
}

ReminderSchedule schedule_reminders(const ReminderSource& source, std::int64_t now, const ReminderPolicy& policy) {
    ReminderSchedule out;
    out.now = now;
    const std::int64_t after = std::max(now, source.after.value_or(now));
    const std::int64_t until = now + policy.horizon_seconds;
    ical::AlarmOptions options;
    if (!source.owner_email.empty()) options.owner_addresses.emplace_back(source.owner_email);
    options.floating_zone = floating_zone_of(source, policy);
    const bool display_alarms = display_alarms_choice(source.display_alarms).value_or(policy.display_alarms);
    // Firings strictly after `after`: those at or before it are queued already.
    auto firings = ical::alarm_firings(source.data, source.parsed, after + 1, until + 1, options);
    if (!firings.has_alarms) return out;
    out.indexed_until = std::max(until, after);
    for (const auto& f : firings.firings) {
        auto method = method_of(f, display_alarms);
        if (!method) continue;
        Reminder r;
        r.collection_id = source.collection_id;
        r.owner_name = source.owner_name;
        r.collection_name = source.collection_name;
        r.object_name = source.name;
        r.recurrence_id = f.recurrence_id;
        r.instance_start = f.instance_start;
        r.instance_end = f.instance_end;
        r.trigger_at = f.trigger_at;
        r.method = *method;
        r.alarm = f.alarm_uid.empty() ? "#" + std::to_string(f.alarm_index) : f.alarm_uid;
        r.repetition = f.repetition;
        if (*method == ReminderMethod::email) {
            for (const auto& a : f.attendees)
                if (!source.owner_email.empty() && ical::same_address(a, source.owner_email))
                    r.recipients.push_back(std::string(source.owner_email));
            if (r.recipients.empty() && !source.owner_email.empty())
                r.recipients.push_back(std::string(source.owner_email));
            if (r.recipients.empty()) continue;  // nobody to write to
            r.recipients.resize(1);
        }
        out.jobs.push_back({std::string(reminder_job_kind), source.owner_id, f.trigger_at, reminder_payload(r)});
    }
    return out;
}

std::optional<bool> display_alarms_choice(std::string_view property_xml) {
    if (property_xml.empty()) return std::nullopt;
    std::string text;
    try {
        text = xml::parse(property_xml, Limits{}).text;
    } catch (const Error&) {
        return std::nullopt;
    }
    const auto first = text.find_first_not_of(" \t\r\n"), last = text.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) return std::nullopt;
    text = text.substr(first, last + 1 - first);
    if (text == "true") return true;
    if (text == "false") return false;
    return std::nullopt;
}

DeadProperty display_alarms_property(bool push) {
    const std::string name(push_display_alarms_property);
    return {std::string(names::kalends_ns), name,
            "<K:" + name + " xmlns:K=\"" + std::string(names::kalends_ns) + "\">" + (push ? "true" : "false") +
                "</K:" + name + ">"};
}

namespace {

/// True when `patch` sets or removes the property {ns}name.
bool patch_touches(const PropertyPatch& patch, std::string_view ns, std::string_view name) {
    auto is = [&](std::string_view n, std::string_view l) { return n == ns && l == name; };
    for (const auto& d : patch.set)
        if (is(d.ns, d.name)) return true;
    for (const auto& [n, l] : patch.remove)
        if (is(n, l)) return true;
    return false;
}

}  // namespace

bool patch_changes_reminders(const PropertyPatch& patch) {
    return patch.timezone || patch_touches(patch, names::kalends_ns, push_display_alarms_property);
}

bool patch_changes_owner_zone(const PropertyPatch& patch) {
    return patch.timezone || patch_touches(patch, names::caldav_ns, schedule_default_calendar_property);
}

std::string owner_zone_among(std::string_view owner_name, std::string_view chosen_property_xml,
                             std::vector<CollectionRecord> collections) {
    try {
        auto calendar = default_calendar_among(owner_name, chosen_property_xml, std::move(collections), Limits{});
        if (!calendar || calendar->timezone.empty()) return {};
        return ical::zone_of_calendar_timezone(calendar->timezone).value_or("");
    } catch (const std::exception&) {
        return {};
    }
}

bool has_own_zone(const CollectionRecord& c) {
    return !c.timezone.empty() && ical::zone_of_calendar_timezone(c.timezone).has_value();
}

std::string owner_time_zone(Store& store, std::int64_t owner_id) {
    auto inbox = store.find_collection(owner_id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return {};
    return inbox->timezone;
}

std::vector<ical::ReminderSpec> default_reminders(Store& store, const CollectionRecord& calendar, bool all_day) {
    const std::string_view name = all_day ? "default-alarm-vevent-date" : "default-alarm-vevent-datetime";
    std::string alarms;
    for (const auto& d : store.dead_properties(calendar.id, ""))
        if (d.ns == names::caldav_ns && d.name == name) {
            try {
                alarms = xml::parse(d.xml, Limits{}).text;
            } catch (const Error&) {
                return {};  // stored by an older version as something else: no default
            }
        }
    const auto first = alarms.find("BEGIN:VALARM"), last = alarms.rfind("END:VALARM");
    if (first == std::string::npos || last == std::string::npos || last < first) return {};
    alarms = alarms.substr(first, last + 10 - first);
    // The alarms inside an event of our own, so that they read as any event's.
    auto event = ical::read_event("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//default alarms//EN\r\n"
                                  "BEGIN:VEVENT\r\nUID:default-alarms\r\nDTSTAMP:20240101T000000Z\r\n"
                                  "DTSTART:20240101T090000Z\r\n" +
                                  alarms + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    return event ? event->reminders : std::vector<ical::ReminderSpec>{};
}

}  // namespace caldav

// Import and export of whole-calendar files (src/cli/import_command.hpp).
// A calendar exported by Google Calendar or Outlook is one VCALENDAR holding
// every event, the overridden instances of a recurring event as separate
// VEVENTs with its UID and a RECURRENCE-ID (RFC 5545 §3.8.4.4), and the
// VTIMEZONEs they name; a CalDAV calendar stores one UID per resource.
#include "src/cli/import_command.hpp"

#include <libical/ical.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/write_set.hpp"
#include "ical/calendar_data.hpp"

namespace server {

namespace {

/// A calendar named "USER" or "USER/CALENDAR".
struct Target {
    caldav::PrincipalRecord owner;
    std::string calendar;
};

std::optional<Target> parse_target(caldav::Store& store, const std::string& text, std::ostream& err) {
    auto slash = text.find('/');
    std::string user = text.substr(0, slash);
    std::string calendar = slash == std::string::npos ? "calendar" : text.substr(slash + 1);
    if (user.empty() || calendar.empty() || calendar.find('/') != std::string::npos) {
        err << "kalends: expected USER or USER/CALENDAR, not '" << text << "'\n";
        return std::nullopt;
    }
    auto owner = store.find_principal(user);
    if (!owner) {
        err << "kalends: no user '" << user << "'\n";
        return std::nullopt;
    }
    return Target{*owner, calendar};
}

std::string text_of(icalcomponent* c) {
    char* s = icalcomponent_as_ical_string_r(c);
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

/// Adds to `tzids` every TZID parameter in `c` and the components inside it.
void collect_tzids(icalcomponent* c, std::set<std::string>& tzids) {
    for (auto* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
        if (auto* tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER))
            if (const char* id = icalparameter_get_tzid(tz)) tzids.insert(id);
    for (auto* sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        collect_tzids(sub, tzids);
}

/// Removes the X-LIC-ERROR properties libical leaves where it dropped a
/// property it could not read: exports carry empty values (Google writes
/// "DESCRIPTION:" and "LOCATION:"), which libical drops, and the object is
/// stored without them rather than refused. Returns how many it removed.
std::size_t drop_parse_errors(icalcomponent* c) {
    std::size_t n = 0;
    std::vector<icalproperty*> errors;
    for (auto* p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY))
        errors.push_back(p);
    for (auto* p : errors) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
        ++n;
    }
    for (auto* sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        n += drop_parse_errors(sub);
    return n;
}

/// The value of the calendar's X- property `name` (X-WR-CALNAME), or empty.
std::string x_property(icalcomponent* cal, std::string_view name) {
    for (auto* p = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY))
        if (const char* n = icalproperty_get_x_name(p); n && name == n)
            if (const char* v = icalproperty_get_x(p)) return v;
    return {};
}

/// One UID's components, in file order, as they will be stored.
struct Group {
    std::string uid;
    std::vector<icalcomponent*> components;
};

/// What a file holds, split: VTIMEZONEs by TZID, groups by UID, and what
/// was left out and why.
struct Split {
    std::map<std::string, std::string> zones;
    std::vector<Group> groups;
    std::vector<std::string> skipped;
    std::string name;  ///< X-WR-CALNAME
    std::size_t dropped = 0;  ///< unreadable properties left out (drop_parse_errors)
    std::string source;       ///< prefix of skip messages: the resource being split, or empty
};

void split_calendar(icalcomponent* cal, Split& s) {
    std::map<std::string, std::size_t> by_uid;
    if (s.name.empty()) s.name = x_property(cal, "X-WR-CALNAME");
    int position = 0;
    for (auto* c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        ++position;
        auto kind = icalcomponent_isa(c);
        if (kind == ICAL_VTIMEZONE_COMPONENT) {
            if (auto* p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY))
                s.zones.emplace(icalproperty_get_tzid(p), text_of(c));
            continue;
        }
        std::string what = s.source + std::string(icalcomponent_kind_to_string(kind)) + " #" + std::to_string(position);
        if (kind != ICAL_VEVENT_COMPONENT && kind != ICAL_VTODO_COMPONENT && kind != ICAL_VJOURNAL_COMPONENT) {
            s.skipped.push_back(what + ": not an event, to-do or journal entry");
            continue;
        }
        const char* uid = icalcomponent_get_uid(c);
        if (!uid || !*uid) {
            auto* summary = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY);
            s.skipped.push_back(what + (summary ? " (\"" + std::string(icalproperty_get_summary(summary)) + "\")" : "") +
                                ": no UID");
            continue;
        }
        s.dropped += drop_parse_errors(c);
        auto [it, fresh] = by_uid.emplace(uid, s.groups.size());
        if (fresh) s.groups.push_back({uid, {}});
        s.groups[it->second].components.push_back(c);
    }
}

/// A resource name for `uid`: the UID itself when it is a safe URL segment,
/// else a hash of it.
std::string object_name(const std::string& uid) {
    bool safe = !uid.empty() && uid.size() <= 200 && uid.front() != '.';
    for (char c : uid)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '@') safe = false;
    if (safe) return uid + ".ics";
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a: stable across runs
    for (unsigned char c : uid) h = (h ^ c) * 1099511628211ull;
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string("import-") + buf + ".ics";
}

std::string object_text(const Group& g, const Split& s, const std::string& prodid) {
    std::set<std::string> tzids;
    for (auto* c : g.components) collect_tzids(c, tzids);
    std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + prodid + "\r\n";
    for (const auto& id : tzids)
        if (auto z = s.zones.find(id); z != s.zones.end()) text += z->second;
    for (auto* c : g.components) text += text_of(c);
    return text + "END:VCALENDAR\r\n";
}

/// The calendar's id, created (named `display_name`) when missing.
std::optional<std::int64_t> calendar_id(caldav::Store& store, const Target& t, const std::string& display_name,
                                        std::ostream& err) {
    store.provision_home(t.owner.id);
    if (auto c = store.find_collection(t.owner.id, t.calendar)) {
        if (c->kind == caldav::CollectionKind::calendar) return c->id;
        err << "kalends: " << t.owner.name << "/" << t.calendar << " is not a calendar\n";
        return std::nullopt;
    }
    caldav::CollectionRecord c;
    c.owner_id = t.owner.id;
    c.name = t.calendar;
    c.kind = caldav::CollectionKind::calendar;
    c.display_name = display_name.empty() ? t.calendar : display_name;
    if (store.create_collection(c) != caldav::StoreStatus::ok) {
        err << "kalends: cannot create the calendar " << t.owner.name << "/" << t.calendar << "\n";
        return std::nullopt;
    }
    return c.id;
}

std::string refusal(caldav::StoreStatus s) {
    switch (s) {
    case caldav::StoreStatus::uid_conflict: return "its UID is used by another object of the calendar";
    case caldav::StoreStatus::not_found: return "the calendar is gone";
    default: return "refused by the store";
    }
}

/// Commits `writes` (their labels in `labels`), dropping and reporting the
/// ones the store refuses; false when the store itself failed.
bool commit_batch(caldav::Store& store, std::vector<caldav::ObjectWrite>& writes, std::vector<std::string>& labels,
                  std::vector<std::string>& skipped, std::size_t& stored) {
    while (!writes.empty()) {
        caldav::WriteSet set;
        set.writes = writes;
        auto r = store.commit(set);
        if (r.status == caldav::StoreStatus::ok) {
            stored += writes.size();
            break;
        }
        if (r.failed >= writes.size()) return false;
        skipped.push_back(labels[r.failed] + ": " + refusal(r.status));
        writes.erase(writes.begin() + static_cast<std::ptrdiff_t>(r.failed));
        labels.erase(labels.begin() + static_cast<std::ptrdiff_t>(r.failed));
    }
    writes.clear();
    labels.clear();
    return true;
}

/// Validates and stores the groups of `split` in calendar `collection`,
/// `batch` to a transaction; what is refused goes to `split.skipped`.
/// `stored` counts what was written. False when the store itself failed.
bool store_groups(caldav::Store& store, const caldav::Limits& limits, std::int64_t collection, Split& split,
                  bool progress, std::size_t batch, std::ostream& err, std::size_t& stored) {
    const std::string prodid = "-//Kalends//import//EN";
    std::size_t done = 0;
    std::vector<caldav::ObjectWrite> writes;
    std::vector<std::string> labels;
    for (const auto& g : split.groups) {
        ++done;
        std::string label = "UID " + g.uid;
        std::string data = object_text(g, split, prodid);
        try {
            if (data.size() > limits.max_resource_bytes)
                throw caldav::Error(403, "larger than limits.resource-bytes");
            auto parsed = caldav::validate_calendar_data(data, limits);
            caldav::ObjectWrite w;
            w.object.collection_id = collection;
            w.object.name = object_name(g.uid);
            w.object.uid = parsed.uid;
            w.object.component = parsed.component;
            w.object.first_start = parsed.first_start;
            w.object.last_end = parsed.last_end;
            w.object.instances = std::move(parsed.instances);
            w.object.data = std::move(data);
            writes.push_back(std::move(w));
            labels.push_back(label);
        } catch (const caldav::Error& e) {
            split.skipped.push_back(label + ": " + e.description());
        }
        if (writes.size() >= batch || done == split.groups.size()) {
            if (!commit_batch(store, writes, labels, split.skipped, stored)) {
                err << "\nkalends: import: the database is busy or full; " << stored << " objects stored\n";
                return false;
            }
            if (progress) err << "\rimporting: " << done << "/" << split.groups.size() << " objects" << std::flush;
        }
    }
    if (progress && !split.groups.empty()) err << "\n";
    return true;
}

/// Splits a parsed file: one VCALENDAR, or several one after the other.
void split_file(icalcomponent* root, Split& split) {
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        split_calendar(root, split);
        return;
    }
    for (auto* cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT); cal;
         cal = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
        split_calendar(cal, split);
}

void print_summary(std::ostream& out, std::size_t stored, const std::string& where, const Split& split) {
    out << "imported " << stored << " objects into " << where << "; skipped " << split.skipped.size() << "\n";
    if (split.dropped > 0)
        out << "  left out " << split.dropped << " properties libical could not read (empty values and the like)\n";
    for (const auto& s : split.skipped) out << "  skipped " << s << "\n";
}

/// The calendar a CalendarImport goes into: created with its properties,
/// or the existing one of that name when it is empty or `merge` allows.
std::optional<std::int64_t> collection_for(caldav::Store& store, const caldav::PrincipalRecord& owner,
                                           const CalendarImport& c, bool merge, std::ostream& err) {
    store.provision_home(owner.id);
    const std::string where = owner.name + "/" + c.name;
    const std::string display_name = c.display_name.empty() ? c.name : c.display_name;
    if (auto existing = store.find_collection(owner.id, c.name)) {
        if (existing->kind != caldav::CollectionKind::calendar) {
            err << "kalends: " << where << " exists and is not a calendar; not imported\n";
            return std::nullopt;
        }
        if (!store.list_objects(existing->id, false).empty()) {
            if (merge) return existing->id;  // its own properties stay
            err << "kalends: " << where << " already exists and holds objects; not imported (--merge adds to it)\n";
            return std::nullopt;
        }
        // Empty, as the default calendar of a new account: it becomes the imported one.
        caldav::PropertyPatch patch;
        patch.display_name = display_name;
        patch.description = c.description;
        if (!c.timezone.empty()) patch.timezone = c.timezone;
        patch.set = c.dead;
        if (store.patch_properties(existing->id, {}, patch) != caldav::StoreStatus::ok) {
            err << "kalends: cannot set the properties of " << where << "\n";
            return std::nullopt;
        }
        return existing->id;
    }
    caldav::CollectionRecord r;
    r.owner_id = owner.id;
    r.name = c.name;
    r.kind = caldav::CollectionKind::calendar;
    r.display_name = display_name;
    r.description = c.description;
    r.timezone = c.timezone;
    r.components = c.components;
    if (store.create_collection(r, c.dead) != caldav::StoreStatus::ok) {
        err << "kalends: cannot create the calendar " << where << "\n";
        return std::nullopt;
    }
    return r.id;
}

/// `text` as an RFC 5545 §3.3.11 TEXT value.
std::string escape_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\' || c == ';' || c == ',') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

int import_calendar(caldav::Store& store, const caldav::Limits& limits, const std::string& target_text,
                    const std::string& ics, bool progress, std::ostream& out, std::ostream& err, std::size_t batch) {
    auto target = parse_target(store, target_text, err);
    if (!target) return 1;
    auto root = ical::parse_with_libical(ics);
    if (!root) {
        err << "kalends: import: no iCalendar data in the file\n";
        return 1;
    }
    Split split;
    split_file(root.get(), split);
    auto collection = calendar_id(store, *target, split.name, err);
    if (!collection) return 1;
    std::size_t stored = 0;
    if (!store_groups(store, limits, *collection, split, progress, batch, err, stored)) return 1;
    print_summary(out, stored, target->owner.name + "/" + target->calendar, split);
    return stored > 0 || split.groups.empty() ? 0 : 1;
}

int import_collection(caldav::Store& store, const caldav::Limits& limits, const caldav::PrincipalRecord& owner,
                      CalendarImport& c, bool merge, bool progress, std::ostream& out, std::ostream& err,
                      std::size_t batch) {
    Split split;
    split.skipped = std::move(c.skipped);
    std::vector<ical::ComponentPtr> roots;  // the components `split` points into
    for (const auto& [source, text] : c.objects) {
        auto root = ical::parse_with_libical(text);
        if (!root) {
            split.skipped.push_back(source + ": not iCalendar data");
            continue;
        }
        split.source = source + ": ";
        split_file(root.get(), split);
        roots.push_back(std::move(root));
    }
    if (!c.timezone.empty() && !ical::parse_with_libical(c.timezone)) {
        split.skipped.push_back("calendar-timezone: not iCalendar data, left out");
        c.timezone.clear();
    }
    auto collection = collection_for(store, owner, c, merge, err);
    if (!collection) return 1;
    std::size_t stored = 0;
    if (!store_groups(store, limits, *collection, split, progress, batch, err, stored)) return 1;
    print_summary(out, stored, owner.name + "/" + c.name, split);
    return 0;
}

int export_calendar(caldav::Store& store, const std::string& target_text, std::ostream& out, std::ostream& err) {
    auto target = parse_target(store, target_text, err);
    if (!target) return 1;
    auto c = store.find_collection(target->owner.id, target->calendar);
    if (!c || c->kind != caldav::CollectionKind::calendar) {
        err << "kalends: " << target->owner.name << " has no calendar '" << target->calendar << "'\n";
        return 1;
    }
    std::map<std::string, std::string> zones;
    std::string body;
    for (const auto& o : store.list_objects(c->id, true)) {
        auto cal = ical::parse_with_libical(o.data);
        if (!cal) continue;
        for (auto* sub = icalcomponent_get_first_component(cal.get(), ICAL_ANY_COMPONENT); sub;
             sub = icalcomponent_get_next_component(cal.get(), ICAL_ANY_COMPONENT)) {
            if (icalcomponent_isa(sub) != ICAL_VTIMEZONE_COMPONENT) {
                body += text_of(sub);
            } else if (auto* p = icalcomponent_get_first_property(sub, ICAL_TZID_PROPERTY)) {
                zones.emplace(icalproperty_get_tzid(p), text_of(sub));
            }
        }
    }
    out << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//export//EN\r\n";
    if (!c->display_name.empty()) out << "X-WR-CALNAME:" << escape_text(c->display_name) << "\r\n";
    for (const auto& [id, text] : zones) out << text;
    out << body << "END:VCALENDAR\r\n";
    return 0;
}

}  // namespace server

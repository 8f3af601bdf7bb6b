// Migration from another server (src/cli/migrate_command.hpp): the calendars
// of a CalDAV account (src/cli/caldav_client.hpp), or of a Radicale storage
// folder, read into CalendarImports and stored by import_collection.
#include "src/cli/migrate_command.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "caldav/names.hpp"
#include "caldav/xml/element.hpp"
#include "src/cli/caldav_client.hpp"
#include "src/cli/import_command.hpp"

namespace server {

namespace fs = std::filesystem;

namespace {

/// The component types Kalends stores (RFC 4791 §4.1).
constexpr std::string_view stored_components[] = {"VEVENT", "VTODO", "VJOURNAL"};

/// `remote` ("VEVENT,VTODO,VFREEBUSY") cut to the types Kalends stores;
/// empty when none is left, `remote` empty when it was ("all").
std::string kept_components(const std::string& remote) {
    if (remote.empty()) return remote;
    std::string out;
    std::stringstream in(remote);
    for (std::string name; std::getline(in, name, ',');) {
        for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (std::find(std::begin(stored_components), std::end(stored_components), name) != std::end(stored_components))
            out += (out.empty() ? "" : ",") + name;
    }
    return out;
}

/// A URL segment for a calendar named `segment` on the other server:
/// letters, digits and "-_.@" kept, anything else a '-'; unique among `used`.
std::string local_name(const std::string& segment, std::set<std::string>& used) {
    std::string name;
    for (char ch : segment)
        name += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == '@' ? ch : '-';
    while (!name.empty() && name.front() == '.') name.erase(name.begin());
    if (name.empty()) name = "calendar";
    std::string unique = name;
    for (int n = 2; used.contains(unique); ++n) unique = name + "-" + std::to_string(n);
    used.insert(unique);
    return unique;
}

caldav::DeadProperty apple_property(std::string_view local, const std::string& value) {
    std::string l(local);
    return {std::string(caldav::names::apple_ical_ns), l,
            "<A:" + l + " xmlns:A=\"http://apple.com/ns/ical/\">" + caldav::xml::escape(value) + "</A:" + l + ">"};
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Reads calendar `dir` of a Radicale storage folder into `c`; false (with
/// the reason in `why`) when it is not a calendar.
bool read_radicale_calendar(const fs::path& dir, CalendarImport& c, std::string& why) {
    auto props_file = dir / ".Radicale.props";
    if (!fs::exists(props_file)) {
        why = "no .Radicale.props: a plain collection";
        return false;
    }
    boost::system::error_code ec;
    auto props = boost::json::parse(read_file(props_file), ec);
    if (ec || !props.is_object()) {
        why = ".Radicale.props is not a JSON object";
        return false;
    }
    auto text = [&](const char* key) -> std::string {
        auto* v = props.as_object().if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (auto tag = text("tag"); tag != "VCALENDAR") {
        why = tag == "VADDRESSBOOK" ? "an address book" : "not a calendar";
        return false;
    }
    c.display_name = text("D:displayname");
    c.description = text("C:calendar-description");
    c.timezone = text("C:calendar-timezone");
    c.components = text("C:supported-calendar-component-set");
    if (auto color = text("ICAL:calendar-color"); !color.empty()) c.dead.push_back(apple_property("calendar-color", color));
    if (auto order = text("ICAL:calendar-order"); !order.empty()) c.dead.push_back(apple_property("calendar-order", order));
    std::vector<fs::path> items;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && !e.path().filename().string().starts_with('.')) items.push_back(e.path());
    std::sort(items.begin(), items.end());
    for (const auto& p : items) c.objects.emplace_back(p.filename().string(), read_file(p));
    return true;
}

/// The folder holding `user`'s collections under a Radicale storage folder
/// `dir` (or its collection-root); empty when there is none.
fs::path radicale_user_dir(const fs::path& dir, const std::string& user) {
    for (const auto& p : {dir / "collection-root" / user, dir / user})
        if (fs::is_directory(p)) return p;
    return {};
}

/// Imports each of `calendars`; the number refused or failed.
int import_all(caldav::Store& store, const caldav::Limits& limits, const caldav::PrincipalRecord& owner,
               std::vector<CalendarImport>& calendars, const MigrateOptions& o, std::ostream& out, std::ostream& err) {
    int failed = 0;
    for (auto& c : calendars)
        if (import_collection(store, limits, owner, c, o.merge, o.progress, out, err) != 0) ++failed;
    return failed;
}

/// A calendar of the remote server with its objects, or nullopt (the reason
/// in `skipped`) when it holds no type Kalends stores or cannot be listed.
std::optional<CalendarImport> remote_calendar(migrate::DavClient& client, const migrate::RemoteCalendar& r,
                                              std::set<std::string>& used, std::vector<std::string>& skipped) {
    CalendarImport c;
    c.components = kept_components(r.components);
    if (!r.components.empty() && c.components.empty()) {
        skipped.push_back("calendar " + r.segment + ": holds only " + r.components + ", which Kalends does not store");
        return std::nullopt;
    }
    auto fetched = migrate::fetch_objects(client, r);
    if (!fetched.error.empty()) {
        skipped.push_back("calendar " + r.segment + ": " + fetched.error);
        return std::nullopt;
    }
    c.name = local_name(r.segment, used);
    c.display_name = r.display_name;
    c.description = r.description;
    c.timezone = r.timezone;
    c.dead = r.dead;
    for (auto& o : fetched.objects) c.objects.emplace_back(std::move(o.href), std::move(o.data));
    c.skipped = std::move(fetched.skipped);
    return c;
}

int from_caldav(caldav::Store& store, const caldav::Limits& limits, const caldav::PrincipalRecord& owner,
                const MigrateOptions& o, std::ostream& out, std::ostream& err) {
    migrate::DavClient client(o.remote_user, o.password);
    auto found = migrate::discover_calendars(client, o.from_url);
    if (!found.error.empty()) {
        err << "kalends: import --from " << o.from_url << ": " << found.error << "\n";
        return 1;
    }
    out << "found " << found.calendars.size() << " calendars at " << found.home << "\n";
    std::vector<std::string> skipped = found.skipped;
    std::vector<CalendarImport> calendars;
    std::set<std::string> used;
    for (const auto& r : found.calendars)
        if (auto c = remote_calendar(client, r, used, skipped)) calendars.push_back(std::move(*c));
    for (const auto& s : skipped) out << "skipped " << s << "\n";
    return import_all(store, limits, owner, calendars, o, out, err) == 0 ? 0 : 1;
}

int from_radicale(caldav::Store& store, const caldav::Limits& limits, const caldav::PrincipalRecord& owner,
                  const MigrateOptions& o, std::ostream& out, std::ostream& err) {
    const std::string remote_user = o.remote_user.empty() ? o.user : o.remote_user;
    auto dir = radicale_user_dir(o.radicale_dir, remote_user);
    if (dir.empty()) {
        err << "kalends: import --from-radicale: no folder " << remote_user << " in " << o.radicale_dir
            << " or its collection-root\n";
        return 1;
    }
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory() && !e.path().filename().string().starts_with('.')) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    std::vector<CalendarImport> calendars;
    std::set<std::string> used;
    for (const auto& f : folders) {
        CalendarImport c;
        std::string why;
        if (!read_radicale_calendar(f, c, why)) {
            out << "skipped collection " << f.filename().string() << ": " << why << "\n";
            continue;
        }
        auto remote = c.components;
        c.components = kept_components(remote);
        if (!remote.empty() && c.components.empty()) {
            out << "skipped calendar " << f.filename().string() << ": holds only " << remote
                << ", which Kalends does not store\n";
            continue;
        }
        c.name = local_name(f.filename().string(), used);
        calendars.push_back(std::move(c));
    }
    out << "found " << calendars.size() << " calendars in " << dir.string() << "\n";
    return import_all(store, limits, owner, calendars, o, out, err) == 0 ? 0 : 1;
}

}  // namespace

std::string read_password_file(const std::string& file, std::string& error) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) {
        error = file + ": cannot read a password from it";
        return {};
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) error = file + ": the password (its first line) is empty";
    return line;
}

int migrate_calendars(caldav::Store& store, const caldav::Limits& limits, const MigrateOptions& o,
                      std::ostream& out, std::ostream& err) {
    auto owner = store.find_principal(o.user);
    if (!owner) {
        err << "kalends: no user '" << o.user << "'\n";
        return 1;
    }
    try {
        if (!o.radicale_dir.empty()) return from_radicale(store, limits, *owner, o, out, err);
        return from_caldav(store, limits, *owner, o, out, err);
    } catch (const fs::filesystem_error& e) {
        err << "kalends: import: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace server

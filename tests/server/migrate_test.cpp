// Migration from another server (issue 29 §4): a real Radicale (Debian
// radicale, run by /usr/bin/python3 on a free loopback port) seeded through
// its own CalDAV, then `kalends import USER --from URL` and
// `--from-radicale DIR`; what arrived is read back through Kalends' CalDAV.
#define BOOST_TEST_MODULE migrate
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>

#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const std::string berlin_zone =
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

std::string vcalendar(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends tests//migrate//EN\r\n" + body + "END:VCALENDAR\r\n";
}

const std::string kickoff = vcalendar(berlin_zone +
    "BEGIN:VEVENT\r\nUID:kickoff-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20260112T100000\r\nDTEND;TZID=Europe/Berlin:20260112T110000\r\n"
    "SUMMARY:Kickoff\r\nEND:VEVENT\r\n");

// A daily stand-up whose 7 January instance moved to 11:00, in one resource.
const std::string standup = vcalendar(
    "BEGIN:VEVENT\r\nUID:standup-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20260105T090000Z\r\nDTEND:20260105T091500Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\n"
    "SUMMARY:Standup\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:standup-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "RECURRENCE-ID:20260107T090000Z\r\nDTSTART:20260107T110000Z\r\nDTEND:20260107T111500Z\r\n"
    "SUMMARY:Standup (moved)\r\nEND:VEVENT\r\n");

const std::string offsite = vcalendar(
    "BEGIN:VEVENT\r\nUID:offsite-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20260220\r\nDTEND;VALUE=DATE:20260221\r\nSUMMARY:Offsite\r\nEND:VEVENT\r\n");

const std::string report_todo = vcalendar(
    "BEGIN:VTODO\r\nUID:todo-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "DUE:20260115T170000Z\r\nSUMMARY:Write report\r\nEND:VTODO\r\n");

const std::string dentist = vcalendar(
    "BEGIN:VEVENT\r\nUID:dentist-1@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20260210T150000Z\r\nDTEND:20260210T160000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n");

std::string mkcalendar_body(const std::string& name, const std::string& color, const std::string& comps) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
           "<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
           "xmlns:A=\"http://apple.com/ns/ical/\"><D:set><D:prop><D:displayname>" + name +
           "</D:displayname><A:calendar-color>" + color + "</A:calendar-color>"
           "<C:supported-calendar-component-set>" + comps +
           "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>";
}

/// Radicale on a free loopback port with user bob (password "secret"),
/// its storage in a temporary folder; stopped (by PID) when it goes.
class Radicale {
public:
    Radicale() : port_(ops_test::free_port()) {
        { std::ofstream(dir_.path() / "users") << "bob:secret\n"; }
        child_ = std::make_unique<test_support::Child>(std::vector<std::string>{
            "/usr/bin/python3", "-m", "radicale", "--config", "",
            "--storage-filesystem-folder=" + storage().string(),
            "--server-hosts=127.0.0.1:" + std::to_string(port_), "--auth-type=htpasswd",
            "--auth-htpasswd-filename=" + (dir_.path() / "users").string(), "--auth-htpasswd-encryption=plain",
            "--auth-delay=0", "--logging-level=warning"});
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (;;) {
            if (child_->wait(std::chrono::milliseconds(0))) throw std::runtime_error("radicale exited: " + child_->err());
            try {
                test_support::HttpClient probe(port_);
                return;
            } catch (const std::runtime_error&) {
                if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("radicale did not listen");
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
    }

    fs::path storage() const { return dir_.path() / "storage"; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

    /// One request as bob; the status.
    int call(const std::string& method, const std::string& path, const std::string& body,
             const std::string& content_type = "application/xml") const {
        test_support::HttpClient c(port_);
        c.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: " +
               test_support::basic_auth("bob", "secret") + "\r\nContent-Type: " + content_type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        auto reply = c.read_reply(std::chrono::seconds(30));
        if (!reply) throw std::runtime_error(method + " " + path + ": no answer from radicale");
        return reply->status;
    }

    /// Two calendars (one named with a space), an address book, five objects:
    /// the fixture every test migrates.
    void seed() const {
        auto comp = [](const char* n) { return std::string("<C:comp name=\"") + n + "\"/>"; };
        BOOST_REQUIRE_EQUAL(call("MKCALENDAR", "/bob/work%20cal/",
                                 mkcalendar_body("Work", "#FF5733FF", comp("VEVENT") + comp("VTODO"))), 201);
        BOOST_REQUIRE_EQUAL(call("MKCALENDAR", "/bob/personal/", mkcalendar_body("Personal", "#00AA00FF", comp("VEVENT"))),
                            201);
        BOOST_REQUIRE_EQUAL(call("MKCOL", "/bob/contacts/",
                                 "<?xml version=\"1.0\"?><D:mkcol xmlns:D=\"DAV:\" "
                                 "xmlns:R=\"urn:ietf:params:xml:ns:carddav\"><D:set><D:prop><D:resourcetype>"
                                 "<D:collection/><R:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>"),
                            201);
        const std::string ics = "text/calendar; charset=utf-8";
        BOOST_REQUIRE_EQUAL(call("PUT", "/bob/work%20cal/kickoff.ics", kickoff, ics), 201);
        BOOST_REQUIRE_EQUAL(call("PUT", "/bob/work%20cal/stand%20up%40team.ics", standup, ics), 201);
        BOOST_REQUIRE_EQUAL(call("PUT", "/bob/work%20cal/offsite.ics", offsite, ics), 201);
        BOOST_REQUIRE_EQUAL(call("PUT", "/bob/work%20cal/report.ics", report_todo, ics), 201);
        BOOST_REQUIRE_EQUAL(call("PUT", "/bob/personal/dentist.ics", dentist, ics), 201);
    }

private:
    test_support::TempDir dir_;
    std::uint16_t port_;
    std::unique_ptr<test_support::Child> child_;
};

/// `kalends ARGS... --data DIR` run to the end.
std::unique_ptr<test_support::Child> kalends(std::vector<std::string> args, const fs::path& data) {
    args.insert(args.end(), {"--data", data.string()});
    return test_support::run_kalends(args);
}

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

/// Checks through Kalends' CalDAV that alice has both seeded calendars with
/// their names, colours and every object.
void check_migrated(const fs::path& data) {
    ops_test::Server kalends_server(data);
    auto home = kalends_server.call("PROPFIND", "/dav/calendars/alice/", ops_test::as("alice"),
                                    "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" "
                                    "xmlns:A=\"http://apple.com/ns/ical/\"><D:prop><D:displayname/>"
                                    "<A:calendar-color/></D:prop></D:propfind>",
                                    "Depth: 1\r\nContent-Type: application/xml\r\n");
    BOOST_TEST(home.status == 207);
    BOOST_TEST(home.body.find("/dav/calendars/alice/work-cal/") != std::string::npos, home.body);
    BOOST_TEST(home.body.find(">Work<") != std::string::npos);
    BOOST_TEST(home.body.find("#FF5733FF") != std::string::npos);
    BOOST_TEST(home.body.find(">Personal<") != std::string::npos);
    BOOST_TEST(home.body.find("#00AA00FF") != std::string::npos);
    BOOST_TEST(home.body.find("contacts") == std::string::npos);
    auto get = [&](const std::string& path) {
        auto r = kalends_server.call("GET", "/dav/calendars/alice/" + path, ops_test::as("alice"));
        BOOST_TEST(r.status == 200, path);
        return r.body;
    };
    auto standup_text = get("work-cal/standup-1@example.com.ics");
    BOOST_TEST(count(standup_text, "BEGIN:VEVENT") == 2);  // the master and its moved instance, together
    BOOST_TEST(standup_text.find("RRULE:FREQ=DAILY;COUNT=5") != std::string::npos);
    BOOST_TEST(standup_text.find("RECURRENCE-ID:20260107T090000Z") != std::string::npos);
    BOOST_TEST(standup_text.find("SUMMARY:Standup (moved)") != std::string::npos);
    auto kickoff_text = get("work-cal/kickoff-1@example.com.ics");
    BOOST_TEST(kickoff_text.find("DTSTART;TZID=Europe/Berlin:20260112T100000") != std::string::npos);
    BOOST_TEST(kickoff_text.find("BEGIN:VTIMEZONE") != std::string::npos);
    BOOST_TEST(get("work-cal/offsite-1@example.com.ics").find("DTSTART;VALUE=DATE:20260220") != std::string::npos);
    BOOST_TEST(get("work-cal/todo-1@example.com.ics").find("SUMMARY:Write report") != std::string::npos);
    BOOST_TEST(get("personal/dentist-1@example.com.ics").find("SUMMARY:Dentist") != std::string::npos);
    // The moved instance is in the time index: 7 January 11:00 finds it, 09:00 does not.
    auto query = [&](const std::string& start, const std::string& end) {
        auto r = kalends_server.call(
            "REPORT", "/dav/calendars/alice/work-cal/", ops_test::as("alice"),
            "<?xml version=\"1.0\"?><C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
            "<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
            "<C:time-range start=\"" + start + "\" end=\"" + end + "\"/></C:comp-filter></C:comp-filter></C:filter>"
            "</C:calendar-query>",
            "Depth: 1\r\nContent-Type: application/xml\r\n");
        BOOST_TEST(r.status == 207);
        return r.body;
    };
    BOOST_TEST(query("20260107T105000Z", "20260107T120000Z").find("standup-1") != std::string::npos);
    BOOST_TEST(query("20260107T085000Z", "20260107T100000Z").find("standup-1") == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(migrate)

BOOST_AUTO_TEST_CASE(import_from_a_radicale_server_brings_every_calendar_with_its_name_colour_and_events) {
    Radicale radicale;
    radicale.seed();
    test_support::TempDir data;
    ops_test::add_user(data.path(), "alice");
    { std::ofstream(data.path() / "password") << "secret\n"; }
    auto run = kalends({"import", "alice", "--from", radicale.url(), "--user", "bob", "--password-file",
                        (data.path() / "password").string()},
                       data.path());
    BOOST_TEST_REQUIRE(run->wait().value_or(-1) == 0, run->err());
    const auto& out = run->out();
    BOOST_TEST(out.find("found 2 calendars at " + radicale.url() + "bob/") != std::string::npos, out);
    BOOST_TEST(out.find("secret") == std::string::npos);  // libcurl's effective URL carries it; never shown
    BOOST_TEST(out.find("skipped collection contacts: an address book") != std::string::npos, out);
    BOOST_TEST(out.find("imported 4 objects into alice/work-cal; skipped 0") != std::string::npos, out);
    BOOST_TEST(out.find("imported 1 objects into alice/personal; skipped 0") != std::string::npos, out);
    check_migrated(data.path());
}

BOOST_AUTO_TEST_CASE(import_from_a_radicale_storage_folder_brings_the_same) {
    Radicale radicale;
    radicale.seed();
    test_support::TempDir data;
    ops_test::add_user(data.path(), "alice");
    auto run = kalends({"import", "alice", "--from-radicale", radicale.storage().string(), "--user", "bob"},
                       data.path());
    BOOST_TEST_REQUIRE(run->wait().value_or(-1) == 0, run->err());
    const auto& out = run->out();
    BOOST_TEST(out.find("skipped collection contacts: an address book") != std::string::npos, out);
    BOOST_TEST(out.find("imported 4 objects into alice/work-cal; skipped 0") != std::string::npos, out);
    BOOST_TEST(out.find("imported 1 objects into alice/personal; skipped 0") != std::string::npos, out);
    check_migrated(data.path());
}

BOOST_AUTO_TEST_CASE(a_calendar_that_already_holds_objects_is_refused_unless_merge_is_given) {
    Radicale radicale;
    radicale.seed();
    test_support::TempDir data;
    ops_test::add_user(data.path(), "alice");
    const std::vector<std::string> args{"import", "alice", "--from-radicale", radicale.storage().string(),
                                        "--user", "bob"};
    BOOST_TEST_REQUIRE(kalends(args, data.path())->wait().value_or(-1) == 0);
    auto again = kalends(args, data.path());
    BOOST_TEST(again->wait().value_or(-1) == 1);
    BOOST_TEST(again->err().find("alice/work-cal already exists and holds objects") != std::string::npos,
               again->err());
    auto merged_args = args;
    merged_args.push_back("--merge");
    auto merged = kalends(merged_args, data.path());
    BOOST_TEST(merged->wait().value_or(-1) == 0, merged->err());
    // The same UIDs replace what the first run stored: still one object each.
    BOOST_TEST(merged->out().find("imported 4 objects into alice/work-cal; skipped 0") != std::string::npos,
               merged->out());
    check_migrated(data.path());
}

BOOST_AUTO_TEST_CASE(a_wrong_password_stops_the_import_with_the_servers_refusal) {
    Radicale radicale;
    radicale.seed();
    test_support::TempDir data;
    ops_test::add_user(data.path(), "alice");
    { std::ofstream(data.path() / "password") << "wrong\n"; }
    auto run = kalends({"import", "alice", "--from", radicale.url(), "--user", "bob", "--password-file",
                        (data.path() / "password").string()},
                       data.path());
    BOOST_TEST(run->wait().value_or(-1) == 1);
    BOOST_TEST(run->err().find("401: the server refused the credentials") != std::string::npos, run->err());
}

BOOST_AUTO_TEST_SUITE_END()

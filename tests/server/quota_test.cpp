// Per-user limits over HTTP (issue 29 §6, kalends.conf(5) [limits]): the
// storage quota (RFC 4331) with its properties and 507 answers, the number of
// calendars and of objects per calendar; a refused write stores nothing.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>

#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"

using ops_test::as;
using ops_test::Server;

namespace {

std::string event(const std::string& uid, const std::string& summary = "limits") {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260302T120000Z\r\nDURATION:PT1H\r\nSUMMARY:" + summary +
           "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// A data directory with alice and a config file holding `limits` ([limits] lines).
struct Setup {
    test_support::TempDir dir;
    std::filesystem::path config;
    explicit Setup(const std::string& limits) : config(dir.path() / "kalends.conf") {
        ops_test::add_user(dir.path(), "alice");
        std::ofstream(config) << "[limits]\n" << limits;
    }
};

test_support::HttpReply put(const Server& s, const std::string& path, const std::string& body) {
    return s.call("PUT", path, as("alice"), body, "Content-Type: text/calendar\r\n");
}

/// The value of DAV property `name` in a Depth: 0 PROPFIND of `path`.
std::int64_t quota_property(const Server& s, const std::string& path, const std::string& name) {
    auto r = s.call("PROPFIND", path, as("alice"),
                    "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:quota-used-bytes/>"
                    "<D:quota-available-bytes/></D:prop></D:propfind>",
                    "Depth: 0\r\nContent-Type: application/xml\r\n");
    BOOST_TEST_REQUIRE(r.status == 207, r.body);
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(r.body, m, std::regex(name + ">([0-9]+)<")), r.body);
    return std::stoll(m[1]);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(quota_properties_on_the_home_and_a_calendar_count_the_stored_bytes) {
    Setup setup("quota-bytes = 100000\n");
    Server s(setup.dir.path(), setup.config.string());
    const std::string cal = "/dav/calendars/alice/calendar/";
    BOOST_TEST_REQUIRE(put(s, cal + "a.ics", event("a")).status == 201);
    auto size = static_cast<std::int64_t>(event("a").size());
    for (const std::string& path : {std::string("/dav/calendars/alice/"), cal}) {
        BOOST_TEST(quota_property(s, path, "quota-used-bytes") == size);
        BOOST_TEST(quota_property(s, path, "quota-available-bytes") == 100000 - size);
    }
}

BOOST_AUTO_TEST_CASE(writes_beyond_the_quota_answer_507_quota_not_exceeded_and_store_nothing) {
    const auto size = event("a").size();
    Setup setup("quota-bytes = " + std::to_string(2 * size + size / 2) + "\n");
    Server s(setup.dir.path(), setup.config.string());
    const std::string cal = "/dav/calendars/alice/calendar/";
    BOOST_TEST_REQUIRE(put(s, cal + "a.ics", event("a")).status == 201);
    BOOST_TEST_REQUIRE(put(s, cal + "b.ics", event("b")).status == 201);
    auto refused = put(s, cal + "c.ics", event("c"));
    BOOST_TEST(refused.status == 507);
    BOOST_TEST(refused.body.find("quota-not-exceeded") != std::string::npos, refused.body);
    BOOST_TEST(s.call("GET", cal + "c.ics", as("alice")).status == 404);
    // Rewriting an object counts only the difference.
    BOOST_TEST(put(s, cal + "a.ics", event("a", "LIMITS")).status == 204);
    auto copy = s.call("COPY", cal + "a.ics", as("alice"), {},
                       "Destination: http://localhost" + cal + "copy.ics\r\n");
    BOOST_TEST(copy.status == 507);
    BOOST_TEST(copy.body.find("quota-not-exceeded") != std::string::npos, copy.body);
    BOOST_TEST(s.call("GET", cal + "copy.ics", as("alice")).status == 404);
    auto api = s.call("POST", "/api/v1/events", as("alice"),
                      R"({"title": "Over quota", "start_time": "2026-03-02T10:00:00Z",
                          "end_time": "2026-03-02T10:30:00Z", "time_zone": "UTC"})",
                      "Content-Type: application/json\r\n");
    BOOST_TEST(api.status == 507, api.body);
    BOOST_TEST(api.header("content-type").find("application/problem+json") != std::string::npos);
    BOOST_TEST(api.body.find("\"status\":507") != std::string::npos, api.body);
    BOOST_TEST(quota_property(s, cal, "quota-used-bytes") == static_cast<std::int64_t>(2 * size));
}

BOOST_AUTO_TEST_CASE(a_calendar_beyond_calendars_per_user_is_refused_403_max_calendars) {
    Setup setup("calendars-per-user = 2\n");
    Server s(setup.dir.path(), setup.config.string());
    // The home starts with one calendar (made at the first request); inbox and outbox do not count.
    BOOST_TEST_REQUIRE(s.call("PROPFIND", "/dav/calendars/alice/", as("alice"), {}, "Depth: 1\r\n").status == 207);
    BOOST_TEST_REQUIRE(s.call("MKCALENDAR", "/dav/calendars/alice/work/", as("alice")).status == 201);
    auto refused = s.call("MKCALENDAR", "/dav/calendars/alice/extra/", as("alice"));
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.body.find("max-calendars") != std::string::npos, refused.body);
    BOOST_TEST(s.call("PROPFIND", "/dav/calendars/alice/extra/", as("alice"), {}, "Depth: 0\r\n").status == 404);
    auto api = s.call("POST", "/api/v1/calendars", as("alice"), R"({"name": "More"})",
                      "Content-Type: application/json\r\n");
    BOOST_TEST(api.status == 403, api.body);
    BOOST_TEST(api.body.find("most calendars") != std::string::npos, api.body);
    // Plain WebDAV collections are not calendars.
    BOOST_TEST(s.call("MKCOL", "/dav/calendars/alice/files/", as("alice")).status == 201);
}

BOOST_AUTO_TEST_CASE(an_object_beyond_objects_per_calendar_is_refused_403_max_resources) {
    Setup setup("objects-per-calendar = 2\n");
    Server s(setup.dir.path(), setup.config.string());
    const std::string cal = "/dav/calendars/alice/calendar/";
    BOOST_TEST_REQUIRE(put(s, cal + "a.ics", event("a")).status == 201);
    BOOST_TEST_REQUIRE(put(s, cal + "b.ics", event("b")).status == 201);
    auto refused = put(s, cal + "c.ics", event("c"));
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.body.find("max-resources") != std::string::npos, refused.body);
    BOOST_TEST(s.call("GET", cal + "c.ics", as("alice")).status == 404);
    BOOST_TEST(put(s, cal + "a.ics", event("a", "changed")).status == 204);  // a rewrite adds no member
    auto copy = s.call("COPY", cal + "a.ics", as("alice"), {},
                       "Destination: http://localhost" + cal + "copy.ics\r\n");
    BOOST_TEST(copy.status == 403);
    BOOST_TEST(s.call("DELETE", cal + "b.ics", as("alice")).status == 204);
    BOOST_TEST(put(s, cal + "c.ics", event("c")).status == 201);
}

BOOST_AUTO_TEST_CASE(limits_set_for_one_user_replace_the_servers_for_them_alone_until_reset) {
    Setup setup("objects-per-calendar = 5\n");
    ops_test::add_user(setup.dir.path(), "bob");
    auto limits = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"user", "limits"});
        args.insert(args.end(), {"--config", setup.config.string()});
        return ops_test::run_kalends(args, setup.dir.path());
    };
    auto shown = limits({"alice", "--max-objects", "1", "--max-calendars", "1", "--quota", "1K"});
    BOOST_TEST(shown.find("max-objects-per-calendar\t1\tuser\n") != std::string::npos, shown);
    BOOST_TEST(shown.find("max-calendars\t1\tuser\n") != std::string::npos, shown);
    BOOST_TEST(shown.find("quota-bytes\t1024\tuser\n") != std::string::npos, shown);
    BOOST_TEST(limits({"bob"}).find("max-objects-per-calendar\t5\tserver\n") != std::string::npos);
    BOOST_CHECK_THROW(limits({"alice", "--max-objects", "many"}), std::runtime_error);
    BOOST_CHECK_THROW(limits({"nobody", "--max-objects", "3"}), std::runtime_error);

    Server s(setup.dir.path(), setup.config.string());
    const std::string cal = "/dav/calendars/alice/calendar/";
    BOOST_TEST_REQUIRE(put(s, cal + "a.ics", event("a")).status == 201);
    auto refused = put(s, cal + "b.ics", event("b"));
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.body.find("(1)") != std::string::npos, refused.body);
    BOOST_TEST(quota_property(s, "/dav/calendars/alice/", "quota-available-bytes") ==
               1024 - static_cast<std::int64_t>(event("a").size()));
    BOOST_TEST(s.call("MKCALENDAR", "/dav/calendars/alice/work/", as("alice")).status == 403);
    // bob keeps the server's limits.
    for (const char* name : {"a", "b", "c"})
        BOOST_TEST(s.call("PUT", std::string("/dav/calendars/bob/calendar/") + name + ".ics", as("bob"), event(name),
                          "Content-Type: text/calendar\r\n").status == 201);
    BOOST_TEST(s.call("MKCALENDAR", "/dav/calendars/bob/work/", as("bob")).status == 201);

    // Changed while the server runs: the next write sees it.
    limits({"alice", "--max-objects", "default"});
    BOOST_TEST(put(s, cal + "b.ics", event("b")).status == 201);
    auto back = limits({"alice", "--max-calendars", "default", "--quota", "default"});
    BOOST_TEST(back.find("max-objects-per-calendar\t5\tserver\n") != std::string::npos, back);
    BOOST_TEST(back.find("max-calendars\t0\tserver\n") != std::string::npos, back);
    BOOST_TEST(s.call("MKCALENDAR", "/dav/calendars/alice/work/", as("alice")).status == 201);
}

BOOST_AUTO_TEST_SUITE_END()

// Public feeds over real HTTP (issue 25 §8): made by the owner through the
// JSON API and `kalends feed`, read without a login as text/calendar in full
// or as busy blocks that show nothing of the events, ETag and 304, read-only,
// rate-limited per feed, and 404 once revoked or once the calendar is gone.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <sstream>

#include "src/cli/feed_command.hpp"
#include "tests/server/authorization_matrix.hpp"

using namespace matrix;
namespace json = boost::json;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// An iCalendar UTC date-time `days` days from now at 09:00 (or `hour`).
std::string day_from_now(int days, int hour = 9) {
    std::time_t t = std::time(nullptr) + days * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d0000Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hour);
    return buf;
}

/// alice's event tomorrow 09:00-10:00 in the shared calendar, with all the
/// text a free/busy feed must not show.
std::string event_tomorrow(const std::string& uid) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//feed//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:" + day_from_now(1) + "\r\nDTEND:" + day_from_now(1, 10) +
           "\r\nSUMMARY:Budget Review\r\nDESCRIPTION:Agenda of the review\r\nLOCATION:Room 7\r\n"
           "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
           "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest@elsewhere.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

const std::string json_headers = "Content-Type: application/json\r\n";

/// A feed made through the API: its id and path.
std::pair<std::string, std::string> make_feed(Site& site, bool free_busy) {
    auto r = site.send("alice", "POST", "/api/v1/calendars/calendar/feeds",
                       free_busy ? R"({"free_busy":true})" : "{}", json_headers);
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    auto o = json::parse(r.body).as_object();
    auto path = json::value_to<std::string>(o.at("path"));
    BOOST_TEST(path.starts_with("/feeds/"));
    BOOST_TEST(path.ends_with(".ics"));
    BOOST_TEST(json::value_to<std::string>(o.at("webcal_url")) == "webcal://localhost" + path);
    BOOST_TEST(json::value_to<std::string>(o.at("form")) == (free_busy ? "free-busy" : "full"));
    return {json::value_to<std::string>(o.at("feed_id")), path};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(public_feeds)

BOOST_AUTO_TEST_CASE(a_full_feed_serves_the_calendar_without_a_login_until_it_is_revoked) {
    Site site;
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "soon.ics", event_tomorrow("soon"),
                            "Content-Type: text/calendar\r\n").status == 201);
    auto [id, path] = make_feed(site, false);
    auto r = site.send("", "GET", path);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.header("content-type").starts_with("text/calendar"));
    BOOST_TEST(contains(r.body, "BEGIN:VCALENDAR"));
    BOOST_TEST(contains(r.body, "SUMMARY:Budget Review"));
    BOOST_TEST(!contains(r.body, "Secret Plan"));  // only this calendar
    auto etag = r.header("etag");
    BOOST_TEST(!etag.empty());
    BOOST_TEST(site.send("", "GET", path, {}, "If-None-Match: " + etag + "\r\n").status == 304);
    BOOST_TEST(site.send("", "HEAD", path).status == 200);
    // A change of the calendar is a new ETag.
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "later.ics", event_tomorrow("later"),
                            "Content-Type: text/calendar\r\n").status == 201);
    BOOST_TEST(site.send("", "GET", path, {}, "If-None-Match: " + etag + "\r\n").status == 200);
    // Read-only.
    for (auto verb : {"PUT", "DELETE", "POST", "PROPFIND"})
        BOOST_TEST(site.send("", verb, path, {}).status == 405, verb);
    // The listing names it, without its secret.
    auto list = site.send("alice", "GET", "/api/v1/calendars/calendar/feeds");
    BOOST_TEST(list.status == 200);
    BOOST_TEST(contains(list.body, "\"feed_id\":\"" + id + "\""), list.body);
    BOOST_TEST(!contains(list.body, path.substr(7, 43)));
    BOOST_TEST(site.send("alice", "DELETE", "/api/v1/calendars/calendar/feeds/" + id).status == 204);
    BOOST_TEST(site.send("", "GET", path).status == 404);
    BOOST_TEST(site.send("alice", "DELETE", "/api/v1/calendars/calendar/feeds/" + id).status == 404);
    BOOST_TEST(!contains(site.send("alice", "GET", "/api/v1/calendars/calendar/feeds").body, id + "\""));
}

BOOST_AUTO_TEST_CASE(a_free_busy_feed_shows_busy_blocks_and_nothing_of_the_events) {
    Site site;
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "soon.ics", event_tomorrow("soon-uid"),
                            "Content-Type: text/calendar\r\n").status == 201);
    auto [id, path] = make_feed(site, true);
    auto r = site.send("", "GET", path);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(contains(r.body, "DTSTART:" + day_from_now(1)), r.body);
    BOOST_TEST(contains(r.body, "DTEND:" + day_from_now(1, 10)), r.body);
    for (auto leak : {"SUMMARY", "DESCRIPTION", "LOCATION", "ATTENDEE", "ORGANIZER", "soon-uid", "Budget Review",
                      "Agenda", "Room 7", "guest@elsewhere", "alice", "Secret Plan"})
        BOOST_TEST(!contains(r.body, leak), "the free/busy feed shows " << leak);
    auto etag = r.header("etag");
    BOOST_TEST(site.send("", "GET", path, {}, "If-None-Match: " + etag + "\r\n").status == 304);
}

BOOST_AUTO_TEST_CASE(only_the_owner_makes_lists_and_revokes_feeds) {
    Site site;
    auto [id, path] = make_feed(site, false);
    // "calendar" names each user's own; alice's is "alice:calendar" to them.
    for (auto user : {"carol", "dave", "erin", "fay", "bob"}) {
        BOOST_TEST(site.send(user, "POST", "/api/v1/calendars/alice:calendar/feeds", "{}", json_headers).status == 404,
                   user);
        BOOST_TEST(site.send(user, "GET", "/api/v1/calendars/alice:calendar/feeds").status == 404, user);
        BOOST_TEST(site.send(user, "DELETE", "/api/v1/calendars/alice:calendar/feeds/" + id).status == 404, user);
    }
    BOOST_TEST(site.send("", "GET", "/api/v1/calendars/calendar/feeds").status == 401);
    BOOST_TEST(site.send("", "GET", path).status == 200);  // still there
    BOOST_TEST(site.send("", "GET", "/feeds/not-a-feed.ics").status == 404);
    BOOST_TEST(site.send("", "GET", "/feeds/").status == 404);
}

BOOST_AUTO_TEST_CASE(the_feed_command_makes_lists_and_revokes_feeds) {
    Site site;
    auto& store = *site.fixture().store;
    std::ostringstream out, err;
    BOOST_TEST(server::feed_add(store, "alice/calendar", true, out, err) == 0, err.str());
    std::istringstream line(out.str());
    std::string id, form, path;
    line >> id >> form >> path;
    BOOST_TEST(form == "free-busy");
    BOOST_TEST(site.send("", "GET", path).status == 200);
    std::ostringstream listed;
    BOOST_TEST(server::feed_list(store, "alice/calendar", listed, err) == 0);
    BOOST_TEST(contains(listed.str(), id + "\tfree-busy\t"));
    BOOST_TEST(server::feed_revoke(store, "alice/calendar", id, out, err) == 0);
    BOOST_TEST(site.send("", "GET", path).status == 404);
    std::ostringstream e2;
    BOOST_TEST(server::feed_revoke(store, "alice/calendar", id, out, e2) == 1);
    BOOST_TEST(server::feed_add(store, "alice/nothing", false, out, e2) == 1);
    BOOST_TEST(server::feed_add(store, "alice", false, out, e2) == 1);
}

BOOST_AUTO_TEST_CASE(a_feed_goes_with_its_calendar) {
    Site site;
    auto [id, path] = make_feed(site, false);
    BOOST_TEST(site.send("alice", "DELETE", shared_calendar).status == 204);
    BOOST_TEST(site.send("", "GET", path).status == 404);
}

BOOST_AUTO_TEST_CASE(a_feed_is_rate_limited) {
    // Feeds use the [api] rate: here 1 a minute with bursts of 3.
    test_support::ServerFixture f([](server::Config& c) {
        c.api.rate_per_minute = 1;
        c.api.rate_burst = 3;
    });
    auto alice = f.store->find_principal("alice");
    f.store->provision_home(alice->id);
    caldav::PublicFeed feed;
    auto status = caldav::StoreStatus::ok;
    auto token = server::create_feed(*f.store, *alice, *f.store->find_collection(alice->id, "calendar"), false, feed,
                                     status);
    BOOST_REQUIRE((status == caldav::StoreStatus::ok));
    auto get = [&] {
        test_support::HttpClient c(f.port);
        c.send(test_support::ServerFixture::request("GET", server::feed_path(token), {}, std::string()));
        return *c.read_reply();
    };
    for (int i = 0; i < 3; ++i) BOOST_TEST(get().status == 200, i);
    auto limited = get();
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(std::stoi(limited.header("retry-after")) >= 1);
}

BOOST_AUTO_TEST_SUITE_END()

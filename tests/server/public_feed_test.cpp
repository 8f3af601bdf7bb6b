// Public feeds over real HTTP (issue 25 §8): made by the owner through the
// JSON API and `kalends feed`, read without a login as text/calendar in full
// or as busy blocks that show nothing of the events (and in full, private
// events only as busy time, confidential ones as time), ETag and 304, read-only,
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

namespace {

/// alice's event tomorrow `hour`:00 for an hour with CLASS `cls`, an alarm,
/// and text naming `word` in every field a reader could learn it from; a
/// weekly series when `weekly`.
std::string classified_event(const std::string& uid, const std::string& cls, const std::string& word, int hour,
                             bool weekly = false) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//feed//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:" + day_from_now(1, hour) + "\r\nDTEND:" +
           day_from_now(1, hour + 1) + (weekly ? "\r\nRRULE:FREQ=WEEKLY;COUNT=3" : "") + "\r\nCLASS:" + cls +
           "\r\nSUMMARY:" + word + " title\r\nDESCRIPTION:" + word + " notes\r\nLOCATION:" + word +
           " room\r\nURL:https://example.com/" + word + "\r\nCATEGORIES:" + word +
           "\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:" + word +
           "@elsewhere.example\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:" + word +
           " alarm\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// The VEVENT blocks of `ics` that contain `needle`.
std::vector<std::string> events_with(const std::string& ics, const std::string& needle) {
    std::vector<std::string> out;
    for (auto at = ics.find("BEGIN:VEVENT"); at != std::string::npos; at = ics.find("BEGIN:VEVENT", at + 1)) {
        auto block = ics.substr(at, ics.find("END:VEVENT", at) - at);
        if (contains(block, needle)) out.push_back(block);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_feed_shows_private_events_as_busy_time_and_confidential_ones_as_time_only) {
    Site site;
    const std::string put = "Content-Type: text/calendar\r\n";
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "open.ics",
                            classified_event("open-uid", "PUBLIC", "Openly", 9), put).status == 201);
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "conf.ics",
                            classified_event("conf-uid", "CONFIDENTIAL", "Hushed", 11), put).status == 201);
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "priv.ics",
                            classified_event("priv-uid", "PRIVATE", "Lawyer", 13, true), put).status == 201);
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "x.ics",
                            classified_event("x-uid", "X-UNKNOWN", "Strange", 15), put).status == 201);
    auto [id, path] = make_feed(site, false);
    auto r = site.send("", "GET", path);
    BOOST_TEST_REQUIRE(r.status == 200);
    // A public event is whole.
    BOOST_TEST(contains(r.body, "SUMMARY:Openly title"));
    BOOST_TEST(contains(r.body, "LOCATION:Openly room"));
    // Nothing of the others but their time.
    for (auto word : {"Hushed", "Lawyer", "Strange", "priv-uid", "x-uid"})
        BOOST_TEST(!contains(r.body, word), "the full feed shows " << word << "\n" << r.body);
    auto confidential = events_with(r.body, "UID:conf-uid");
    BOOST_TEST_REQUIRE(confidential.size() == 1u, r.body);
    BOOST_TEST(contains(confidential[0], "DTSTART:" + day_from_now(1, 11)));
    BOOST_TEST(contains(confidential[0], "DTEND:" + day_from_now(1, 12)));
    for (auto field : {"SUMMARY", "DESCRIPTION", "LOCATION", "ATTENDEE", "ORGANIZER", "URL", "CATEGORIES", "VALARM"})
        BOOST_TEST(!contains(confidential[0], field), "a confidential event shows " << field);
    // Private (and a class nobody knows, RFC 5545 §3.8.1.3): busy, the series kept.
    auto busy = events_with(r.body, "SUMMARY:Busy");
    BOOST_TEST_REQUIRE(busy.size() == 2u, r.body);
    auto priv = events_with(r.body, "DTSTART:" + day_from_now(1, 13));
    BOOST_TEST_REQUIRE(priv.size() == 1u);
    BOOST_TEST(contains(priv[0], "RRULE:FREQ=WEEKLY;COUNT=3"));
    BOOST_TEST(contains(priv[0], "UID:private-"));
    for (auto field : {"DESCRIPTION", "LOCATION", "ATTENDEE", "ORGANIZER", "URL", "CATEGORIES", "VALARM"})
        BOOST_TEST(!contains(priv[0], field), "a private event shows " << field);
    // The owner's own reading of the calendar is untouched.
    auto own = site.send("alice", "GET", shared_calendar);
    BOOST_TEST(contains(own.body, "SUMMARY:Lawyer title"));
}

BOOST_AUTO_TEST_CASE(a_private_override_hides_its_whole_series_under_one_uid) {
    Site site;
    auto ics = classified_event("series-uid", "PUBLIC", "Weekly", 9, true);
    const std::string override_event =
        "BEGIN:VEVENT\r\nUID:series-uid\r\nDTSTAMP:20250301T000000Z\r\nRECURRENCE-ID:" + day_from_now(8, 9) +
        "\r\nDTSTART:" + day_from_now(8, 14) + "\r\nDTEND:" + day_from_now(8, 15) +
        "\r\nCLASS:PRIVATE\r\nSUMMARY:Doctor instead\r\nEND:VEVENT\r\n";
    ics.insert(ics.find("END:VCALENDAR"), override_event);
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "series.ics", ics, "Content-Type: text/calendar\r\n")
                      .status == 201);
    auto [id, path] = make_feed(site, false);
    auto r = site.send("", "GET", path);
    BOOST_TEST_REQUIRE(r.status == 200);
    for (auto word : {"Weekly", "Doctor", "series-uid"}) BOOST_TEST(!contains(r.body, word), word << "\n" << r.body);
    auto busy = events_with(r.body, "SUMMARY:Busy");
    BOOST_TEST_REQUIRE(busy.size() == 2u, r.body);
    auto uid = [](const std::string& block) { return block.substr(block.find("UID:"), 33); };
    BOOST_TEST(uid(busy[0]) == uid(busy[1]));
    BOOST_TEST(contains(r.body, "RECURRENCE-ID:" + day_from_now(8, 9)));
}

BOOST_AUTO_TEST_CASE(a_transparent_private_event_takes_no_place_in_a_full_feed) {
    Site site;
    auto ics = classified_event("free-uid", "PRIVATE", "Gym", 9);
    ics.replace(ics.find("CLASS:PRIVATE"), 13, "CLASS:PRIVATE\r\nTRANSP:TRANSPARENT");
    BOOST_REQUIRE(site.send("alice", "PUT", shared_calendar + "gym.ics", ics, "Content-Type: text/calendar\r\n")
                      .status == 201);
    auto [id, path] = make_feed(site, false);
    auto r = site.send("", "GET", path);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(!contains(r.body, "Gym"));
    BOOST_TEST(!contains(r.body, "DTSTART:" + day_from_now(1, 9)), r.body);
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

// The JSON API over real HTTP (issue 24): the specification's example requests
// and their answers field by field, what CalDAV clients then see of the same
// data, and every refusal as an RFC 9457 problem.
#define BOOST_TEST_MODULE json_api
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;
namespace json = boost::json;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// One request on a fresh connection, as `user` (password USER-pw) unless `auth` is given.
HttpReply call(ServerFixture& f, const std::string& method, const std::string& path, const std::string& body = {},
               const std::string& user = "alice", const std::string& extra_headers = {},
               std::optional<std::string> auth = std::nullopt) {
    HttpClient c(f.port);
    std::string headers = extra_headers;
    if (!body.empty()) headers += "Content-Type: application/json\r\n";
    c.send(ServerFixture::request(method, path, body, auth ? *auth : basic_auth(user, user + "-pw"), headers));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    return *r;
}

json::object parse(const HttpReply& r) {
    auto v = json::parse(r.body);
    BOOST_REQUIRE(v.is_object());
    return v.get_object();
}

std::string str(const json::object& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return "<missing " + std::string(key) + ">";
    return std::string(it->value().get_string());
}

/// The specification's standup: weekdays at 10:00 New York until the end of 2024.
const std::string standup = R"({
  "title": "Team Standup",
  "description": "Daily sync",
  "location": "Room 4",
  "start_time": "2024-01-15T15:00:00Z",
  "end_time": "2024-01-15T15:30:00Z",
  "time_zone": "America/New_York",
  "attendees": [{"email": "bob@example.com", "optional": false}],
  "recurrence": {"frequency": "weekly", "interval": 1, "until": "2024-12-31T23:59:59Z",
                 "by_day": ["MO", "TU", "WE", "TH", "FR"]},
  "reminders": [{"minutes_before": 15, "method": "email"}]
})";

/// The problem a refused request gets: its status, type and field.
void check_problem(const HttpReply& r, int status, const std::string& slug, const std::string& field = {}) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.header("content-type") == "application/problem+json");
    auto p = parse(r);
    BOOST_TEST(str(p, "type") == "/api/v1/problems/" + slug);
    BOOST_TEST(p.at("status").as_int64() == status);
    BOOST_TEST(!str(p, "title").empty());
    BOOST_TEST(!str(p, "detail").empty());
    if (!field.empty()) BOOST_TEST(str(p, "field") == field);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(creating_the_standup_answers_201_and_caldav_sees_rrule_attendees_and_alarm) {
    ServerFixture f;
    auto r = call(f, "POST", "/api/v1/events", standup);
    BOOST_TEST_REQUIRE(r.status == 201, r.body);
    auto o = parse(r);
    auto id = str(o, "event_id");
    BOOST_TEST(!id.empty());
    BOOST_TEST(str(o, "title") == "Team Standup");
    BOOST_TEST(str(o, "start_time") == "2024-01-15T15:00:00Z");
    BOOST_TEST(str(o, "end_time") == "2024-01-15T15:30:00Z");
    BOOST_TEST(str(o, "time_zone") == "America/New_York");
    BOOST_TEST(o.at("is_recurring").as_bool());
    BOOST_TEST(o.at("recurrence_id").is_null());
    BOOST_TEST(o.at("conflicts").as_array().empty());
    const auto& attendees = o.at("attendees").as_array();
    BOOST_TEST_REQUIRE(attendees.size() == 1u);
    BOOST_TEST(str(attendees[0].as_object(), "email") == "bob@example.com");
    BOOST_TEST(str(attendees[0].as_object(), "status") == "pending");
    BOOST_TEST(attendees[0].as_object().at("optional").as_bool() == false);
    auto url = str(o, "calendar_url");
    BOOST_TEST(url == "/dav/calendars/alice/calendar/" + id + ".ics");
    BOOST_TEST(r.header("location") == "/api/v1/events/" + id);

    auto dav = call(f, "GET", url);
    BOOST_TEST_REQUIRE(dav.status == 200);
    BOOST_TEST(contains(dav.body, "RRULE:FREQ=WEEKLY;"));
    BOOST_TEST(contains(dav.body, "BYDAY=MO,TU,WE,TH,FR"));
    BOOST_TEST(contains(dav.body, "UNTIL=20241231T235959Z"));
    BOOST_TEST(contains(dav.body, "DTSTART;TZID=America/New_York:20240115T100000"));
    BOOST_TEST(contains(dav.body, "mailto:alice@example.com"));
    BOOST_TEST(contains(dav.body, "ATTENDEE"));
    BOOST_TEST(contains(dav.body, "mailto:bob@example.com"));
    BOOST_TEST(contains(dav.body, "TRIGGER:-PT15M"));
    BOOST_TEST(contains(dav.body, "ACTION:EMAIL"));
    // The invitation went out as for a CalDAV PUT: bob holds his copy.
    auto bob = f.store->find_principal("bob");
    BOOST_REQUIRE(bob);
    auto bobs = f.store->find_collection(bob->id, "calendar");
    BOOST_REQUIRE(bobs);
    BOOST_TEST(f.store->find_object(bobs->id, id + ".ics", false).has_value());
}

BOOST_AUTO_TEST_CASE(the_week_listing_in_new_york_expands_the_series_into_instances) {
    ServerFixture f;
    auto created = parse(call(f, "POST", "/api/v1/events", standup));
    auto id = str(created, "event_id");
    auto r = call(f, "GET", "/api/v1/events?start=2024-03-11&end=2024-03-18&time_zone=America/New_York");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    auto o = parse(r);
    const auto& events = o.at("events").as_array();
    BOOST_TEST_REQUIRE(events.size() == 5u);
    BOOST_TEST(o.at("total").as_int64() == 5);
    BOOST_TEST(o.at("next_cursor").is_null());
    // 10:00 in New York after the DST change of 2024-03-10 is 14:00Z.
    BOOST_TEST(str(events[0].as_object(), "start_time") == "2024-03-11T14:00:00Z");
    BOOST_TEST(str(events[0].as_object(), "instance_date") == "2024-03-11T14:00:00Z");
    for (const auto& e : events) {
        const auto& i = e.as_object();
        BOOST_TEST(str(i, "event_id") == id);
        BOOST_TEST(i.at("is_recurring").as_bool());
        BOOST_TEST(i.at("attendees_count").as_int64() == 1);
        BOOST_TEST(str(i, "my_status") == "organizer");
        BOOST_TEST(i.at("conflicts").as_bool() == false);
    }
    // bob sees the same week as an invitation he has not answered.
    auto mine = parse(call(f, "GET", "/api/v1/events?start=2024-03-11&end=2024-03-18&time_zone=America/New_York", {}, "bob"));
    BOOST_TEST_REQUIRE(mine.at("events").as_array().size() == 5u);
    BOOST_TEST(str(mine.at("events").as_array()[0].as_object(), "my_status") == "pending");
}

BOOST_AUTO_TEST_CASE(a_listing_is_paged_with_a_cursor) {
    ServerFixture f;
    parse(call(f, "POST", "/api/v1/events", standup));
    std::vector<std::string> starts;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        auto r = call(f, "GET", "/api/v1/events?start=2024-03-11&end=2024-03-25&time_zone=America/New_York&limit=3" +
                                    (cursor.empty() ? std::string() : "&cursor=" + cursor));
        BOOST_TEST_REQUIRE(r.status == 200, r.body);
        auto o = parse(r);
        BOOST_TEST(o.at("total").as_int64() == 10);
        for (const auto& e : o.at("events").as_array()) starts.push_back(str(e.as_object(), "start_time"));
        if (o.at("next_cursor").is_null()) break;
        cursor = std::string(o.at("next_cursor").as_string());
    }
    BOOST_TEST(starts.size() == 10u);
    BOOST_TEST(std::is_sorted(starts.begin(), starts.end()));
    bool repeated = std::adjacent_find(starts.begin(), starts.end()) != starts.end();
    BOOST_TEST(!repeated);
}

BOOST_AUTO_TEST_CASE(changes_between_page_fetches_show_on_the_next_page_without_gaps_or_repeats) {
    ServerFixture f;
    auto id = str(parse(call(f, "POST", "/api/v1/events", standup)), "event_id");
    const std::string range = "/api/v1/events?start=2024-03-11&end=2024-03-25&time_zone=America/New_York&limit=4";
    auto first = parse(call(f, "GET", range));
    BOOST_TEST_REQUIRE(first.at("events").as_array().size() == 4u);
    std::vector<std::string> starts;
    for (const auto& e : first.at("events").as_array()) starts.push_back(str(e.as_object(), "start_time"));
    // The series renamed (a new ETag: the parsed copy kept for the listing is
    // stale) and a lunch added after the cursor, between the fetches.
    auto renamed = call(f, "PATCH", "/api/v1/events/" + id, R"J({"title": "Standup (renamed)", "update_scope": "all"})J");
    BOOST_TEST_REQUIRE(renamed.status == 200, renamed.body);
    auto lunch = call(f, "POST", "/api/v1/events",
                      R"J({"title": "Lunch", "start_time": "2024-03-20T16:30:00Z", "end_time": "2024-03-20T17:00:00Z",
                          "time_zone": "America/New_York"})J");
    BOOST_TEST_REQUIRE(lunch.status == 201, lunch.body);
    std::string cursor(first.at("next_cursor").as_string());
    std::vector<std::string> titles;
    for (int page = 0; page < 10 && !cursor.empty(); ++page) {
        auto o = parse(call(f, "GET", range + "&cursor=" + cursor));
        BOOST_TEST(o.at("total").as_int64() == 11);
        for (const auto& e : o.at("events").as_array()) {
            starts.push_back(str(e.as_object(), "start_time"));
            titles.push_back(str(e.as_object(), "title"));
        }
        cursor = o.at("next_cursor").is_null() ? "" : std::string(o.at("next_cursor").as_string());
    }
    BOOST_TEST(starts.size() == 11u);  // 10 standups and the lunch, each once
    BOOST_TEST(std::is_sorted(starts.begin(), starts.end()));
    BOOST_TEST((std::adjacent_find(starts.begin(), starts.end()) == starts.end()));
    BOOST_TEST(std::count(titles.begin(), titles.end(), "Lunch") == 1);
    BOOST_TEST(std::count(titles.begin(), titles.end(), "Standup (renamed)") == 6);
}

BOOST_AUTO_TEST_CASE(patching_one_instance_writes_an_override_caldav_sees) {
    ServerFixture f;
    auto id = str(parse(call(f, "POST", "/api/v1/events", standup)), "event_id");
    auto r = call(f, "PATCH", "/api/v1/events/" + id,
                  R"J({"title": "Standup (moved)", "start_time": "2024-01-16T16:00:00Z", "end_time": "2024-01-16T16:30:00Z",
                      "update_scope": "this_instance", "instance_date": "2024-01-16T15:00:00Z"})J");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    auto o = parse(r);
    BOOST_TEST(str(o, "event_id") == id);
    BOOST_TEST(str(o, "exception_id") == id + "_20240116T150000Z");
    BOOST_TEST(!str(o, "message").empty());
    BOOST_TEST(o.at("conflicts").is_array());
    auto dav = call(f, "GET", "/dav/calendars/alice/calendar/" + id + ".ics");
    BOOST_TEST(contains(dav.body, "RECURRENCE-ID;TZID=America/New_York:20240116T100000"));
    BOOST_TEST(contains(dav.body, "SUMMARY:Standup (moved)"));
    // The instance reads back through its exception id.
    auto one = call(f, "GET", "/api/v1/events/" + id + "_20240116T150000Z");
    BOOST_TEST_REQUIRE(one.status == 200, one.body);
    auto v = parse(one);
    BOOST_TEST(str(v, "title") == "Standup (moved)");
    BOOST_TEST(str(v, "start_time") == "2024-01-16T16:00:00Z");
}

BOOST_AUTO_TEST_CASE(bob_answering_sets_his_partstat_in_alices_copy) {
    ServerFixture f;
    auto id = str(parse(call(f, "POST", "/api/v1/events", standup)), "event_id");
    auto r = call(f, "POST", "/api/v1/events/" + id + "/rsvp", R"({"response": "accepted", "comment": "See you"})", "bob");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    auto o = parse(r);
    BOOST_TEST(str(o, "event_id") == id);
    BOOST_TEST(str(o, "attendee") == "bob@example.com");
    BOOST_TEST(str(o, "status") == "accepted");
    BOOST_TEST(!str(o, "updated_at").empty());
    auto dav = call(f, "GET", "/dav/calendars/alice/calendar/" + id + ".ics");
    BOOST_TEST(contains(dav.body, "PARTSTAT=ACCEPTED"));
    auto event = parse(call(f, "GET", "/api/v1/events/" + id));
    BOOST_TEST(str(event.at("attendees").as_array()[0].as_object(), "status") == "accepted");
    // alice is not invited to her own meeting: she cannot answer it.
    check_problem(call(f, "POST", "/api/v1/events/" + id + "/rsvp", R"({"response": "declined"})"), 403, "forbidden");
}

BOOST_AUTO_TEST_CASE(availability_of_alice_and_bob_shows_busy_free_and_common_slots) {
    ServerFixture f;
    call(f, "POST", "/api/v1/events",
         R"({"title": "Focus", "start_time": "2024-01-15T15:00:00Z", "end_time": "2024-01-15T16:00:00Z"})");
    auto r = call(f, "POST", "/api/v1/availability/check",
                  R"({"users": ["alice@example.com", "bob@example.com", "nobody@elsewhere.test"],
                      "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T17:00:00Z",
                      "time_zone": "UTC"})");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    auto o = parse(r);
    BOOST_TEST(str(o, "time_zone") == "UTC");
    const auto& a = o.at("availability").as_object();
    const auto& alice = a.at("alice@example.com").as_object();
    BOOST_TEST(alice.at("known").as_bool());
    BOOST_TEST_REQUIRE(alice.at("busy_slots").as_array().size() == 1u);
    BOOST_TEST(str(alice.at("busy_slots").as_array()[0].as_object(), "start") == "2024-01-15T15:00:00Z");
    BOOST_TEST(alice.at("free_slots").as_array().size() == 2u);
    BOOST_TEST(a.at("bob@example.com").as_object().at("busy_slots").as_array().empty());
    BOOST_TEST(a.at("nobody@elsewhere.test").as_object().at("known").as_bool() == false);
    const auto& common = o.at("common_free_slots").as_array();
    BOOST_TEST_REQUIRE(common.size() == 2u);
    BOOST_TEST(str(common[0].as_object(), "start") == "2024-01-15T09:00:00Z");
    BOOST_TEST(str(common[0].as_object(), "end") == "2024-01-15T15:00:00Z");
    BOOST_TEST(str(common[1].as_object(), "start") == "2024-01-15T16:00:00Z");
}

BOOST_AUTO_TEST_CASE(an_event_put_by_caldav_is_listed_and_an_api_event_is_found_by_caldav) {
    ServerFixture f;
    std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.0//EN\r\nBEGIN:VEVENT\r\n"
        "UID:0A1B2C3D-DAV\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240116T090000Z\r\n"
        "DTEND:20240116T100000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    HttpClient c(f.port);
    c.send(ServerFixture::request("PUT", "/dav/calendars/alice/calendar/dentist.ics", ics, std::nullopt,
                                  "Content-Type: text/calendar\r\n"));
    BOOST_TEST_REQUIRE(c.read_reply()->status == 201);
    auto o = parse(call(f, "GET", "/api/v1/events?start=2024-01-16T00:00:00Z&end=2024-01-17T00:00:00Z"));
    BOOST_TEST_REQUIRE(o.at("events").as_array().size() == 1u);
    const auto& e = o.at("events").as_array()[0].as_object();
    BOOST_TEST(str(e, "event_id") == "0A1B2C3D-DAV");
    BOOST_TEST(str(e, "title") == "Dentist");
    BOOST_TEST(e.at("is_recurring").as_bool() == false);
    BOOST_TEST(e.at("instance_date").is_null());
    BOOST_TEST(e.at("my_status").is_null());
    auto got = parse(call(f, "GET", "/api/v1/events/0A1B2C3D-DAV"));
    BOOST_TEST(str(got, "calendar_url") == "/dav/calendars/alice/calendar/dentist.ics");
}

BOOST_AUTO_TEST_CASE(bad_bodies_are_problems_naming_the_field) {
    ServerFixture f;
    check_problem(call(f, "POST", "/api/v1/events", "{\"title\": "), 400, "malformed-json");
    check_problem(call(f, "POST", "/api/v1/events", "[1, 2]"), 400, "malformed-json");
    check_problem(call(f, "POST", "/api/v1/events", std::string(1000, '[') + std::string(1000, ']')), 400,
                  "malformed-json");
    check_problem(call(f, "POST", "/api/v1/events", "{\"title\": \"" + std::string(2 << 20, 'x') + "\"}"), 413,
                  "payload-too-large");
    check_problem(call(f, "POST", "/api/v1/events", "{\"title\": \"" + std::string(100000, 'x') + "\"}"), 422,
                  "validation", "title");
    auto with = [](const std::string& change) {
        auto v = json::parse(standup).as_object();
        auto patch = json::parse(change).as_object();
        for (const auto& [k, value] : patch) v[k] = value;
        return json::serialize(v);
    };
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"title": 5})")), 422, "validation", "title");
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"end_time": "2024-01-15T14:00:00Z"})")), 422,
                  "validation", "end_time");
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"start_time": "15 Jan 2024"})")), 422, "validation",
                  "start_time");
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"time_zone": "Mars/Olympus_Mons"})")), 422,
                  "validation", "time_zone");
    check_problem(call(f, "POST", "/api/v1/events",
                       with(R"({"recurrence": {"frequency": "weekly", "by_day": ["XX"]}})")),
                  422, "validation", "recurrence.by_day[0]");
    check_problem(call(f, "POST", "/api/v1/events",
                       with(R"({"recurrence": {"frequency": "yearly", "by_month": [2], "by_month_day": [30]}})")),
                  422, "validation");
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"attendees": [{"email": 7}]})")), 422, "validation",
                  "attendees[0].email");
    check_problem(call(f, "POST", "/api/v1/events", with(R"({"reminders": [{"minutes_before": -5}]})")), 422,
                  "validation", "reminders[0].minutes_before");
    // Nothing was written by any of them.
    auto alice = f.store->find_principal("alice");
    auto cal = f.store->find_collection(alice->id, "calendar");
    BOOST_TEST(f.store->list_objects(cal->id, false).empty());
    // Unknown members are ignored.
    BOOST_TEST(call(f, "POST", "/api/v1/events", with(R"({"colour_of_the_day": "mauve"})")).status == 201);
}

BOOST_AUTO_TEST_CASE(unknown_ids_routes_methods_and_missing_credentials_are_problems) {
    ServerFixture f;
    check_problem(call(f, "GET", "/api/v1/events/no-such-event"), 404, "not-found");
    check_problem(call(f, "GET", "/api/v1/nothing-here"), 404, "not-found");
    auto r = call(f, "PUT", "/api/v1/events", "{}");
    check_problem(r, 405, "method-not-allowed");
    BOOST_TEST(r.header("allow") == "POST, GET");
    auto anonymous = call(f, "GET", "/api/v1/calendars", {}, "alice", {}, std::string());
    check_problem(anonymous, 401, "unauthorized");
    BOOST_TEST(contains(anonymous.header("www-authenticate"), "Basic"));
    // bob cannot reach alice's event by its id: it is not in his calendars.
    auto id = str(parse(call(f, "POST", "/api/v1/events",
                             R"({"title": "Private", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})")),
                  "event_id");
    check_problem(call(f, "GET", "/api/v1/events/" + id, {}, "bob"), 404, "not-found");
    check_problem(call(f, "DELETE", "/api/v1/events/" + id, {}, "bob"), 404, "not-found");
}

BOOST_AUTO_TEST_CASE(a_stale_if_match_is_refused_with_412) {
    ServerFixture f;
    auto created = call(f, "POST", "/api/v1/events",
                        R"({"title": "Review", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})");
    auto id = str(parse(created), "event_id");
    auto etag = created.header("etag");
    BOOST_TEST_REQUIRE(!etag.empty());
    auto first = call(f, "PATCH", "/api/v1/events/" + id, R"({"title": "Review 2"})", "alice", "If-Match: " + etag + "\r\n");
    BOOST_TEST_REQUIRE(first.status == 200, first.body);
    check_problem(call(f, "PATCH", "/api/v1/events/" + id, R"({"title": "Review 3"})", "alice", "If-Match: " + etag + "\r\n"),
                  412, "precondition-failed");
    check_problem(call(f, "DELETE", "/api/v1/events/" + id, {}, "alice", "If-Match: " + etag + "\r\n"), 412,
                  "precondition-failed");
    BOOST_TEST(str(parse(call(f, "GET", "/api/v1/events/" + id)), "title") == "Review 2");
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_retry_returns_the_first_event_not_a_second) {
    ServerFixture f;
    std::string body = R"({"title": "Once", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})";
    auto first = call(f, "POST", "/api/v1/events", body, "alice", "Idempotency-Key: abc-123\r\n");
    BOOST_TEST_REQUIRE(first.status == 201, first.body);
    auto again = call(f, "POST", "/api/v1/events", body, "alice", "Idempotency-Key: abc-123\r\n");
    BOOST_TEST_REQUIRE(again.status == 201, again.body);
    BOOST_TEST(str(parse(again), "event_id") == str(parse(first), "event_id"));
    BOOST_TEST(again.header("idempotent-replayed") == "true");
    auto alice = f.store->find_principal("alice");
    auto cal = f.store->find_collection(alice->id, "calendar");
    BOOST_TEST(f.store->list_objects(cal->id, false).size() == 1u);
    check_problem(call(f, "POST", "/api/v1/events", R"({"title": "Other", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})",
                       "alice", "Idempotency-Key: abc-123\r\n"),
                  422, "idempotency-key-reused");
    // The key is the caller's own: bob's same key makes bob's event.
    auto bobs = call(f, "POST", "/api/v1/events", body, "bob", "Idempotency-Key: abc-123\r\n");
    BOOST_TEST_REQUIRE(bobs.status == 201);
    BOOST_TEST(str(parse(bobs), "event_id") != str(parse(first), "event_id"));
}

BOOST_AUTO_TEST_CASE(reject_conflicts_turns_an_overlap_into_409_and_writes_nothing) {
    ServerFixture f;
    auto first = parse(call(f, "POST", "/api/v1/events",
                            R"({"title": "Budget", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})"));
    auto overlapping = R"({"title": "Lunch", "start_time": "2024-02-01T10:30:00Z", "end_time": "2024-02-01T11:30:00Z")";
    auto r = call(f, "POST", "/api/v1/events", std::string(overlapping) + R"(, "reject_conflicts": true})");
    check_problem(r, 409, "conflict");
    auto p = parse(r);
    BOOST_TEST_REQUIRE(p.at("conflicts").as_array().size() == 1u);
    BOOST_TEST(str(p.at("conflicts").as_array()[0].as_object(), "event_id") == str(first, "event_id"));
    BOOST_TEST(str(p.at("conflicts").as_array()[0].as_object(), "title") == "Budget");
    auto alice = f.store->find_principal("alice");
    auto cal = f.store->find_collection(alice->id, "calendar");
    BOOST_TEST(f.store->list_objects(cal->id, false).size() == 1u);
    // Without the flag the overlap is reported and the event made.
    auto made = call(f, "POST", "/api/v1/events", std::string(overlapping) + "}");
    BOOST_TEST_REQUIRE(made.status == 201);
    BOOST_TEST(parse(made).at("conflicts").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(conflicts_read_the_same_checked_beside_the_write_or_before_it) {
    // api.conflict-threads: 2 (the default) checks beside the write, 0 on the request's thread first.
    std::vector<std::string> answers;
    for (unsigned threads : {2u, 0u}) {
        ServerFixture f([&](server::Config& c) { c.api.conflict_threads = threads; });
        BOOST_TEST_REQUIRE(call(f, "POST", "/api/v1/events",
                                R"({"title": "Budget", "start_time": "2024-02-01T10:00:00Z", "end_time": "2024-02-01T11:00:00Z"})")
                               .status == 201);
        BOOST_TEST_REQUIRE(call(f, "POST", "/api/v1/events",
                                R"({"title": "Gym", "start_time": "2024-02-01T09:00:00Z", "end_time": "2024-02-01T10:30:00Z"})",
                                "bob")
                               .status == 201);
        std::string conflicts;
        for (int i = 0; i < 3; ++i) {
            auto r = call(f, "POST", "/api/v1/events",
                          R"({"title": "Lunch", "start_time": "2024-02-01T10:15:00Z", "end_time": "2024-02-01T11:15:00Z",
                              "attendees": [{"email": "bob@example.com"}]})");
            BOOST_TEST_REQUIRE(r.status == 201, r.body);
            auto list = parse(r).at("conflicts").as_array();
            // Budget (alice's, by title) and Gym (bob's, by time only); the earlier Lunches are
            // alice's and bob's too, one more of each per create.
            BOOST_TEST(list.size() == 2u + 2u * i);
            json::array times;
            for (auto& c : list) times.push_back({c.as_object().at("who"), c.as_object().at("start_time"),
                                                  c.as_object().contains("title") ? c.as_object().at("title") : nullptr});
            conflicts += json::serialize(times);
        }
        answers.push_back(conflicts);
    }
    BOOST_TEST(answers[0] == answers[1]);
    BOOST_TEST(answers[0].find("Budget") != std::string::npos);
    BOOST_TEST(answers[0].find("Gym") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_user_over_the_rate_gets_429_with_retry_after) {
    ServerFixture f([](server::Config& c) {
        c.api.rate_per_minute = 1;
        c.api.rate_burst = 2;
    });
    int ok = 0;
    HttpReply last;
    for (int i = 0; i < 5; ++i) {
        last = call(f, "GET", "/api/v1/calendars");
        if (last.status == 200) ++ok;
    }
    BOOST_TEST(ok >= 1);
    BOOST_TEST(ok <= 3);
    check_problem(last, 429, "rate-limited");
    BOOST_TEST(std::stoi(last.header("retry-after")) >= 1);
    // Another user has a budget of their own.
    BOOST_TEST(call(f, "GET", "/api/v1/calendars", {}, "bob").status == 200);
}

BOOST_AUTO_TEST_CASE(calendars_are_listed_created_renamed_and_deleted) {
    ServerFixture f;
    auto list = parse(call(f, "GET", "/api/v1/calendars"));
    BOOST_TEST_REQUIRE(list.at("calendars").as_array().size() == 1u);
    BOOST_TEST(list.at("calendars").as_array()[0].as_object().at("is_default").as_bool());
    auto made = call(f, "POST", "/api/v1/calendars",
                     R"({"name": "Work Trips", "color": "#FF8800", "time_zone": "Europe/Berlin"})");
    BOOST_TEST_REQUIRE(made.status == 201, made.body);
    auto c = parse(made);
    BOOST_TEST(str(c, "calendar_id") == "work-trips");
    BOOST_TEST(str(c, "color") == "#FF8800");
    BOOST_TEST(str(c, "time_zone") == "Europe/Berlin");
    auto renamed = call(f, "PATCH", "/api/v1/calendars/work-trips", R"({"name": "Travel"})");
    BOOST_TEST_REQUIRE(renamed.status == 200, renamed.body);
    BOOST_TEST(str(parse(renamed), "name") == "Travel");
    // CalDAV clients see the same name.
    HttpClient dav(f.port);
    dav.send(ServerFixture::request("PROPFIND", "/dav/calendars/alice/work-trips/",
                                    "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\"><d:prop><d:displayname/></d:prop></d:propfind>",
                                    std::nullopt, "Depth: 0\r\nContent-Type: application/xml\r\n"));
    BOOST_TEST(contains(dav.read_reply()->body, "Travel"));
    check_problem(call(f, "DELETE", "/api/v1/calendars/calendar"), 409, "conflict");
    BOOST_TEST(call(f, "DELETE", "/api/v1/calendars/work-trips").status == 204);
    check_problem(call(f, "DELETE", "/api/v1/calendars/work-trips"), 404, "not-found");
}

BOOST_AUTO_TEST_CASE(deleting_one_instance_adds_an_exdate_and_all_future_ends_the_series) {
    ServerFixture f;
    auto id = str(parse(call(f, "POST", "/api/v1/events", standup)), "event_id");
    BOOST_TEST(call(f, "DELETE", "/api/v1/events/" + id + "?update_scope=this_instance&instance_date=2024-01-17T15:00:00Z").status == 204);
    auto dav = call(f, "GET", "/dav/calendars/alice/calendar/" + id + ".ics");
    BOOST_TEST(contains(dav.body, "EXDATE;TZID=America/New_York:20240117T100000"));
    BOOST_TEST(call(f, "DELETE", "/api/v1/events/" + id + "?update_scope=all_future&instance_date=2024-02-01T15:00:00Z").status == 204);
    auto week = parse(call(f, "GET", "/api/v1/events?start=2024-02-05&end=2024-02-10&time_zone=America/New_York"));
    BOOST_TEST(week.at("events").as_array().empty());
    auto before = parse(call(f, "GET", "/api/v1/events?start=2024-01-15&end=2024-01-20&time_zone=America/New_York"));
    BOOST_TEST(before.at("events").as_array().size() == 4u);
    BOOST_TEST(call(f, "DELETE", "/api/v1/events/" + id).status == 204);
    check_problem(call(f, "GET", "/api/v1/events/" + id), 404, "not-found");
}

BOOST_AUTO_TEST_CASE(the_openapi_document_is_served) {
    ServerFixture f;
    auto r = call(f, "GET", "/api/v1/openapi.json");
    BOOST_TEST_REQUIRE(r.status == 200);
    auto o = parse(r);
    BOOST_TEST(str(o, "openapi").starts_with("3.1"));
}

BOOST_AUTO_TEST_SUITE_END()

// A free-busy sharee (issue 25 §1: busy time only, never titles, attendees or
// descriptions): every request they can make — each method and REPORT of the
// matrix on each of alice's resources, the outbox free/busy lookup, and the
// JSON API's availability check, suggestions and event listing — answers
// without SUMMARY, DESCRIPTION, LOCATION, ATTENDEE or UID of alice's events,
// while the busy time itself does come through.
#include <boost/test/unit_test.hpp>

#include "tests/server/authorization_matrix.hpp"

using namespace matrix;

namespace {

/// The words of alice's events a free-busy sharee must never see.
const std::vector<std::string> event_text{"SUMMARY", "DESCRIPTION", "LOCATION", "ATTENDEE", "UID:review",
                                          "UID:secret", "Budget Review", "Secret Plan", "Agenda", "Room 7",
                                          "guest@elsewhere", "review.ics", "secret.ics"};

const Role& free_busy_role() {
    for (const auto& r : roles)
        if (r.label == "free-busy") return r;
    throw std::logic_error("no free-busy role");
}

void check_no_event_text(const test_support::HttpReply& r, const std::string& what) {
    for (const auto& word : event_text)
        BOOST_TEST(r.body.find(word) == std::string::npos, what << " (" << r.status << ") shows \"" << word << "\"");
}

const std::string json_headers = "Content-Type: application/json\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(free_busy_leaks)

BOOST_AUTO_TEST_CASE(no_dav_request_of_a_free_busy_sharee_shows_what_the_events_are) {
    Site site;
    const auto& fay = free_busy_role();
    std::size_t requests = 0;
    for (const auto& m : methods())
        for (const auto& kind : kinds()) {
            // What the request named (a 403 repeats its href) is not the events'.
            auto reply = site.run(m, kind, fay);
            reply.body = site.without_echo(reply.body);
            check_no_event_text(reply, m.label + " on " + kind.label);
            ++requests;
        }
    // The shared calendar as a sync client and a subscriber would read it.
    for (const auto& [verb, path, body, headers] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
             {"PROPFIND", "/dav/calendars/fay/", "", "Depth: 1\r\n"},
             {"REPORT", "/dav/calendars/fay/", bodies::sync_collection, "Content-Type: application/xml\r\n"},
             {"PROPFIND", shared_calendar, bodies::propfind_acl, "Depth: 0\r\n"},
             {"GET", shared_calendar + "?export", "", ""},
             {"PROPFIND", "/dav/principals/users/alice/", "", "Depth: 1\r\n"}}) {
        check_no_event_text(site.send("fay", verb, path, body, headers), verb + " " + path);
        ++requests;
    }
    BOOST_TEST_MESSAGE(requests << " DAV requests as the free-busy sharee");
}

BOOST_AUTO_TEST_CASE(the_busy_time_itself_reaches_a_free_busy_sharee) {
    Site site;
    auto report = site.send("fay", "REPORT", shared_calendar, bodies::free_busy_query,
                            "Depth: 1\r\nContent-Type: application/xml\r\n");
    BOOST_TEST(report.status == 200);
    BOOST_TEST(report.body.find("FREEBUSY") != std::string::npos);
    BOOST_TEST(report.body.find("20250310T090000Z") != std::string::npos, report.body);
    check_no_event_text(report, "free-busy-query");

    auto check = site.send("fay", "POST", "/api/v1/availability/check",
                           R"({"users":["alice@example.com"],"start_time":"2025-03-10T00:00:00Z",)"
                           R"("end_time":"2025-03-11T00:00:00Z"})",
                           json_headers);
    BOOST_TEST(check.status == 200, check.body);
    BOOST_TEST(check.body.find("2025-03-10T09:00:00") != std::string::npos, check.body);
    check_no_event_text(check, "availability check");
}

BOOST_AUTO_TEST_CASE(no_json_api_request_of_a_free_busy_sharee_shows_what_the_events_are) {
    Site site;
    // alice's own outbox lookup is the only outbox fay may not use; her own is hers.
    const std::string lookup =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
        "UID:fay-fb\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T000000Z\r\nDTEND:20250311T000000Z\r\n"
        "ORGANIZER:mailto:fay@example.com\r\nATTENDEE:mailto:alice@example.com\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    auto outbox = site.send("fay", "POST", "/dav/calendars/fay/outbox/", lookup,
                            "Content-Type: text/calendar; charset=utf-8\r\n");
    BOOST_TEST(outbox.status == 200, outbox.body);
    BOOST_TEST(outbox.body.find("20250310T090000Z") != std::string::npos, outbox.body);
    for (const auto& word : {"Budget Review", "Secret Plan", "Agenda", "Room 7", "guest@elsewhere", "UID:review",
                             "UID:secret", "SUMMARY", "DESCRIPTION", "LOCATION"})
        BOOST_TEST(outbox.body.find(word) == std::string::npos, "outbox lookup shows " << word);

    const std::string range = R"("start_time":"2025-03-10T00:00:00Z","end_time":"2025-03-11T00:00:00Z")";
    for (const auto& [verb, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"POST", "/api/v1/availability/check", R"({"users":["alice@example.com"],)" + range + "}"},
             {"POST", "/api/v1/availability/check",
              R"({"users":["alice@example.com","fay@example.com"],)" + range + "}"},
             {"POST", "/api/v1/availability/suggest",
              R"({"users":["alice@example.com","fay@example.com"],"duration_minutes":30,)" + range + "}"},
             {"GET", "/api/v1/events?start=2025-03-10T00:00:00Z&end=2025-03-11T00:00:00Z", ""},
             {"GET", "/api/v1/events?start=2025-03-10T00:00:00Z&end=2025-03-11T00:00:00Z&calendar_id=calendar", ""},
             {"GET", "/api/v1/events?start=2025-03-10T00:00:00Z&end=2025-03-11T00:00:00Z&calendar_id=alice:calendar",
              ""},
             {"GET", "/api/v1/calendars", ""},
             {"GET", "/api/v1/calendars/alice:calendar/shares", ""},
             {"GET", "/api/v1/calendars/alice:calendar/feeds", ""},
             {"GET", "/api/v1/events/review", ""}}) {
        auto r = site.send("fay", verb, path, body, body.empty() ? "" : json_headers);
        BOOST_TEST(r.status < 500, verb << " " << path << " gave " << r.status);
        check_no_event_text(r, verb + " " + path);
        for (const auto& word : {"review", "private", "Hidden Plans"})
            BOOST_TEST(r.body.find(word) == std::string::npos, verb << " " << path << " shows " << word);
    }
}

BOOST_AUTO_TEST_SUITE_END()

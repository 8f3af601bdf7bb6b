// The organisation's free/busy rule (issue 25 §9, kalends.conf [sharing]
// free-busy) on the free-busy-query REPORT (RFC 4791 §7.10): another user's
// busy time over their whole home, under the same rule and with the same
// answer as the outbox lookup (RFC 6638 §5) and the availability API give.
#include <boost/test/unit_test.hpp>

#include "tests/server/authorization_matrix.hpp"

namespace {

using test_support::ServerFixture;

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

test_support::HttpReply send(ServerFixture& f, const std::string& user, const std::string& verb,
                             const std::string& path, const std::string& body = {}, const std::string& headers = {}) {
    test_support::HttpClient c(f.port);
    c.send(ServerFixture::request(verb, path, body, test_support::basic_auth(user, user + "-pw"), headers));
    auto r = c.read_reply(std::chrono::seconds(10));
    BOOST_REQUIRE(r);
    return *r;
}

/// A server under `rule` where alice has an event on 10 March 2025 09:00-10:00
/// UTC, bob shares her e-mail domain and olga does not.
std::unique_ptr<ServerFixture> site_under(caldav::FreeBusyRule rule) {
    auto f = std::make_unique<ServerFixture>([rule](server::Config& c) { c.limits.free_busy_rule = rule; });
    f->store->add_user("olga", "olga@elsewhere.test", server::hash_password("olga-pw"));
    BOOST_REQUIRE(send(*f, "alice", "PUT", matrix::shared_object, matrix::event("review", "Budget Review"),
                       "Content-Type: text/calendar\r\n").status == 201);
    return f;
}

const std::string xml_headers = "Depth: 1\r\nContent-Type: application/xml\r\n";

/// What `user` learns of alice's busy time: by free-busy-query on her home,
/// by their outbox, by the availability API; true where it came through.
struct Answers {
    bool report, outbox, api;
};

Answers ask(ServerFixture& f, const std::string& user, const std::string& email) {
    auto report = send(f, user, "REPORT", "/dav/calendars/alice/", matrix::bodies::free_busy_query, xml_headers);
    BOOST_TEST((report.status == 200 || report.status == 403), report.status << " " << report.body);
    if (report.status == 200) {
        BOOST_TEST(contains(report.body, "FREEBUSY;FBTYPE=BUSY:20250310T090000Z/20250310T100000Z"), report.body);
        for (auto leak : {"SUMMARY", "Budget", "Agenda", "Room 7", "review", "ATTENDEE"})
            BOOST_TEST(!contains(report.body, leak), "free-busy-query shows " << leak);
    } else {
        BOOST_TEST(contains(report.body, "need-privileges"), report.body);
    }
    const std::string lookup =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
        "UID:rule-fb\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T000000Z\r\nDTEND:20250311T000000Z\r\n"
        "ORGANIZER:mailto:" + email + "\r\nATTENDEE:mailto:alice@example.com\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    auto outbox = send(f, user, "POST", "/dav/calendars/" + user + "/outbox/", lookup,
                       "Content-Type: text/calendar; charset=utf-8\r\n");
    BOOST_TEST(outbox.status == 200, outbox.body);
    auto api = send(f, user, "POST", "/api/v1/availability/check",
                    R"({"users":["alice@example.com"],"start_time":"2025-03-10T00:00:00Z",)"
                    R"("end_time":"2025-03-11T00:00:00Z"})",
                    "Content-Type: application/json\r\n");
    BOOST_TEST((api.status == 200 || api.status == 403), api.status << " " << api.body);
    return {report.status == 200, contains(outbox.body, "2.0;Success"), api.status == 200};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(free_busy_rule)

BOOST_AUTO_TEST_CASE(free_busy_query_on_a_home_follows_the_organisation_rule_as_the_outbox_and_the_api_do) {
    using caldav::FreeBusyRule;
    struct Case {
        FreeBusyRule rule;
        bool bob, olga;  // whether each sees alice's busy time
    };
    for (const auto& c : {Case{FreeBusyRule::same_domain, true, false}, Case{FreeBusyRule::everyone, true, true},
                          Case{FreeBusyRule::nobody, false, false}}) {
        auto f = site_under(c.rule);
        for (const auto& [user, email, expected] : {std::tuple{"bob", "bob@example.com", c.bob},
                                                    std::tuple{"olga", "olga@elsewhere.test", c.olga}}) {
            auto a = ask(*f, user, email);
            BOOST_TEST(a.report == expected, "rule " << static_cast<int>(c.rule) << ": free-busy-query as " << user);
            BOOST_TEST(a.outbox == expected, "rule " << static_cast<int>(c.rule) << ": outbox lookup as " << user);
            BOOST_TEST(a.api == expected, "rule " << static_cast<int>(c.rule) << ": availability API as " << user);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_rule_shows_the_busy_time_of_the_home_only_never_a_calendar_or_its_events) {
    auto f = site_under(caldav::FreeBusyRule::everyone);
    // One calendar by name: as without the rule (its name is not learnt by trying).
    for (auto path : {matrix::shared_calendar, std::string("/dav/calendars/alice/no-such/")})
        BOOST_TEST(send(*f, "bob", "REPORT", path, matrix::bodies::free_busy_query, xml_headers).status == 403, path);
    // Every other report on the home, and reading it, still needs DAV:read.
    BOOST_TEST(send(*f, "bob", "REPORT", "/dav/calendars/alice/", matrix::bodies::calendar_query, xml_headers)
                   .status == 403);
    BOOST_TEST(send(*f, "bob", "REPORT", "/dav/calendars/alice/", matrix::bodies::sync_collection,
                    "Content-Type: application/xml\r\n").status == 403);
    auto listing = send(*f, "bob", "PROPFIND", "/dav/calendars/alice/", "", "Depth: 1\r\n");
    BOOST_TEST(listing.status == 403);
    BOOST_TEST(!contains(listing.body, "/dav/calendars/alice/calendar/"));
    BOOST_TEST(send(*f, "bob", "GET", matrix::shared_object).status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

// /api/v1/calendars/{id}/shares over real HTTP (issue 25 §10): sharing,
// listing and ending shares as the owner and as an admin sharee, every
// refusal as a problem, and what a sharee then sees in its calendar and
// event listings.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;
namespace json = boost::json;

namespace {

HttpReply send(ServerFixture& f, const std::string& user, const std::string& method, const std::string& path,
               const std::string& body = {}) {
    HttpClient c(f.port);
    std::string headers = body.empty() ? "" : "Content-Type: application/json\r\n";
    if (path.starts_with("/dav/")) headers = "Content-Type: text/calendar\r\n";
    c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), headers));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    return *r;
}

json::object object_of(const HttpReply& r) {
    auto v = json::parse(r.body);
    BOOST_REQUIRE(v.is_object());
    return v.get_object();
}

/// The problem answer's status and field.
void check_problem(const HttpReply& r, int status, const std::string& field = {}) {
    BOOST_TEST(r.status == status, r.body);
    BOOST_TEST(r.header("content-type") == "application/problem+json");
    if (!field.empty()) BOOST_TEST(json::value_to<std::string>(object_of(r).at("field")) == field);
}

/// alice's "calendar" with one event ("Budget Review"), and users carol and zoe besides bob.
struct Shares {
    ServerFixture f;
    const std::string shares = "/api/v1/calendars/calendar/shares";

    Shares() {
        for (auto name : {"carol", "zoe"})
            f.store->add_user(name, std::string(name) + "@example.com", server::hash_password(std::string(name) + "-pw"));
        auto put = send(f, "alice", "PUT", "/dav/calendars/alice/calendar/review.ics",
                        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:review\r\n"
                        "DTSTAMP:20250301T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
                        "SUMMARY:Budget Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        BOOST_REQUIRE(put.status == 201);
    }

    HttpReply share(const std::string& as, const std::string& email, const std::string& permission,
                    const std::string& path = {}) {
        return send(f, as, "PUT", path.empty() ? shares : path,
                    R"({"email":")" + email + R"(","permission":")" + permission + R"("})");
    }

    /// bob's calendars listing: calendar_id → permission.
    std::map<std::string, std::string> calendars_of(const std::string& user) {
        auto r = send(f, user, "GET", "/api/v1/calendars");
        BOOST_REQUIRE(r.status == 200);
        std::map<std::string, std::string> out;
        auto body = object_of(r);
        for (const auto& c : body.at("calendars").as_array())
            out[json::value_to<std::string>(c.at("calendar_id"))] = json::value_to<std::string>(c.at("permission"));
        return out;
    }

    std::string events_of(const std::string& user) {
        auto r = send(f, user, "GET", "/api/v1/events?start=2025-03-10T00:00:00Z&end=2025-03-11T00:00:00Z");
        BOOST_REQUIRE(r.status == 200);
        return r.body;
    }
};

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(api_shares)

BOOST_AUTO_TEST_CASE(the_owner_shares_lists_and_unshares_and_the_sharee_sees_the_calendar_and_its_events) {
    Shares s;
    BOOST_TEST(!contains(s.events_of("bob"), "Budget Review"));
    auto put = s.share("alice", "bob@example.com", "view");
    BOOST_TEST_REQUIRE(put.status == 200, put.body);
    BOOST_TEST(json::value_to<std::string>(object_of(put).at("email")) == "bob@example.com");
    BOOST_TEST(json::value_to<std::string>(object_of(put).at("permission")) == "view");

    auto list = send(s.f, "alice", "GET", s.shares);
    BOOST_TEST_REQUIRE(list.status == 200);
    auto shares = object_of(list).at("shares").as_array();
    BOOST_TEST_REQUIRE(shares.size() == 1u);
    BOOST_TEST(json::value_to<std::string>(shares[0].at("email")) == "bob@example.com");

    auto calendars = s.calendars_of("bob");
    BOOST_TEST(calendars["alice:calendar"] == "view");
    BOOST_TEST(calendars["calendar"] == "owner");
    auto events = s.events_of("bob");
    BOOST_TEST(contains(events, "Budget Review"));
    BOOST_TEST(contains(events, R"("calendar_id":"alice:calendar")"));
    auto one = send(s.f, "bob", "GET", "/api/v1/events/review");
    BOOST_TEST(one.status == 200);
    BOOST_TEST(contains(one.body, "Budget Review"));
    // Reading is all a view share gives through the API; changes are refused.
    check_problem(send(s.f, "bob", "DELETE", "/api/v1/events/review"), 403);
    check_problem(send(s.f, "bob", "PATCH", "/api/v1/events/review", R"({"title": "Hijacked"})"), 403);
    // Nor may a view sharee share the calendar further.
    check_problem(send(s.f, "bob", "PUT", "/api/v1/calendars/alice:calendar/shares",
                       R"({"email": "carol@example.com", "permission": "edit"})"),
                  403);
    auto still = send(s.f, "alice", "GET", "/api/v1/events/review");
    BOOST_TEST(still.status == 200);
    BOOST_TEST(contains(still.body, "Budget Review"));
    BOOST_TEST(!contains(still.body, "Hijacked"));

    auto gone = send(s.f, "alice", "DELETE", s.shares + "/bob@example.com");
    BOOST_TEST(gone.status == 204);
    BOOST_TEST(object_of(send(s.f, "alice", "GET", s.shares)).at("shares").as_array().empty());
    BOOST_TEST(s.calendars_of("bob").count("alice:calendar") == 0u);
    BOOST_TEST(!contains(s.events_of("bob"), "Budget Review"));
    check_problem(send(s.f, "bob", "GET", "/api/v1/events/review"), 404);
    check_problem(send(s.f, "alice", "DELETE", s.shares + "/bob@example.com"), 404);
}

BOOST_AUTO_TEST_CASE(a_free_busy_sharee_lists_the_calendar_but_none_of_its_events) {
    Shares s;
    BOOST_TEST_REQUIRE(s.share("alice", "bob@example.com", "free-busy").status == 200);
    BOOST_TEST(s.calendars_of("bob")["alice:calendar"] == "free-busy");
    BOOST_TEST(!contains(s.events_of("bob"), "Budget Review"));
    check_problem(send(s.f, "bob", "GET", "/api/v1/events/review"), 404);
    check_problem(send(s.f, "bob", "GET", "/api/v1/events?start=2025-03-10T00:00:00Z&end=2025-03-11T00:00:00Z"
                                          "&calendar_id=alice:calendar"),
                  404);
}

BOOST_AUTO_TEST_CASE(an_admin_sharee_manages_shares_and_others_are_refused) {
    Shares s;
    const std::string by_id = "/api/v1/calendars/alice:calendar/shares";
    BOOST_TEST_REQUIRE(s.share("alice", "bob@example.com", "view").status == 200);
    // A view sharee sees the calendar but does not manage it; zoe sees nothing.
    check_problem(s.share("bob", "carol@example.com", "view", by_id), 403);
    check_problem(send(s.f, "bob", "GET", by_id), 403);
    check_problem(send(s.f, "zoe", "GET", by_id), 404);
    check_problem(s.share("zoe", "carol@example.com", "view", by_id), 404);
    check_problem(send(s.f, "zoe", "GET", "/api/v1/calendars/nothing/shares"), 404);

    BOOST_TEST_REQUIRE(s.share("alice", "bob@example.com", "admin").status == 200);
    auto by_admin = s.share("bob", "carol@example.com", "edit", by_id);
    BOOST_TEST(by_admin.status == 200, by_admin.body);
    BOOST_TEST(s.calendars_of("carol")["alice:calendar"] == "edit");
    auto list = send(s.f, "bob", "GET", by_id);
    BOOST_TEST(list.status == 200);
    BOOST_TEST(object_of(list).at("shares").as_array().size() == 2u);
    BOOST_TEST(send(s.f, "bob", "DELETE", by_id + "/carol@example.com").status == 204);
    BOOST_TEST(s.calendars_of("carol").count("alice:calendar") == 0u);
}

BOOST_AUTO_TEST_CASE(a_share_of_an_unknown_user_a_bad_permission_or_the_owner_is_422) {
    Shares s;
    check_problem(s.share("alice", "nobody@example.com", "view"), 422, "email");
    check_problem(s.share("alice", "bob@example.com", "owner"), 422, "permission");
    check_problem(s.share("alice", "alice@example.com", "view"), 422, "email");
    check_problem(send(s.f, "alice", "DELETE", s.shares + "/nobody@example.com"), 422, "email");
    check_problem(send(s.f, "alice", "PUT", s.shares, R"({"permission":"view"})"), 422, "email");
    BOOST_TEST(object_of(send(s.f, "alice", "GET", s.shares)).at("shares").as_array().empty());
}

BOOST_AUTO_TEST_SUITE_END()

// Every method on every kind of resource, as the owner, as another user and
// anonymously, over HTTP (issue 4 §9, RFC 3744): anonymous is always 401 with a
// challenge; another user never reads or changes what is not theirs.
#include "caldav/service.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::ServerFixture;

namespace {

const char* const methods[] = {"OPTIONS", "PROPFIND", "PROPPATCH", "MKCALENDAR", "MKCOL", "DELETE",
                               "REPORT", "GET", "HEAD", "PUT", "COPY", "MOVE"};

const char* const alice_paths[] = {"/dav/principals/users/alice/", "/dav/calendars/alice/",
                                   "/dav/calendars/alice/calendar/", "/dav/calendars/alice/calendar/x.ics",
                                   "/dav/calendars/alice/inbox/"};

int status_of(std::uint16_t port, const std::string& method, const std::string& path, const std::string& auth) {
    HttpClient c(port);
    c.send(ServerFixture::request(method, path, method == "PROPPATCH" ? "<x/>" : "", auth, "Depth: 0\r\n"));
    auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
    BOOST_REQUIRE(r);
    if (r->status == 401) {
        BOOST_TEST(r->header("www-authenticate").find("Basic") == 0u, method << " " << path);
    }
    return r->status;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(authorization)

BOOST_AUTO_TEST_CASE(anonymous_requests_get_401_everywhere) {
    ServerFixture f;
    for (auto path : alice_paths)
        for (auto method : methods) BOOST_TEST(status_of(f.port, method, path, "") == 401, method << " " << path);
}

BOOST_AUTO_TEST_CASE(another_user_gets_403_on_everything_but_reading_the_principal) {
    ServerFixture f;
    // alice's home exists once she has made a request.
    BOOST_REQUIRE(status_of(f.port, "PROPFIND", "/dav/calendars/alice/", basic_auth("alice", "alice-pw")) == 207);
    auto bob = basic_auth("bob", "bob-pw");
    for (auto path : alice_paths) {
        for (auto method : methods) {
            int s = status_of(f.port, method, path, bob);
            bool principal = std::string(path) == "/dav/principals/users/alice/";
            if (principal && (std::string(method) == "OPTIONS" || std::string(method) == "PROPFIND")) {
                BOOST_TEST((s == 200 || s == 207), method << " " << path << " gave " << s);
            } else {
                // Never a success, never a read of alice's data.
                BOOST_TEST((s == 403 || s == 405 || s == 400 || s == 207), method << " " << path << " gave " << s);
                if (!principal) BOOST_TEST(s != 207, method << " " << path);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(the_owner_is_never_refused_for_lack_of_privileges) {
    ServerFixture f;
    auto alice = basic_auth("alice", "alice-pw");
    for (auto path : alice_paths) {
        for (auto method : methods) {
            int s = status_of(f.port, method, path, alice);
            BOOST_TEST(s != 401, method << " " << path);
            BOOST_TEST(s != 500, method << " " << path);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// The HTTP front end over real loopback sockets: auth, keep-alive, pipelining,
// every transport limit, TLS, and graceful shutdown (issue 2).
#include "src/http/server.hpp"

#define BOOST_TEST_MODULE server
#include <boost/test/unit_test.hpp>

#include <future>

#include "tests/support/server_fixture.hpp"
#include "tests/support/tls_cert.hpp"

using namespace std::chrono_literals;
using test_support::basic_auth;
using test_support::HttpClient;
using test_support::ServerFixture;

BOOST_AUTO_TEST_SUITE(http)

BOOST_AUTO_TEST_CASE(health_answers_200_with_version_and_no_credentials) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send(ServerFixture::request("GET", "/health", {}, ""));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(r->body == std::string("kalends ") + KALENDS_VERSION + "\n");
}

BOOST_AUTO_TEST_CASE(options_with_valid_credentials_lists_dav_and_allow) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send(ServerFixture::request("OPTIONS", "/dav/"));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(!r->header("dav").empty());
    BOOST_TEST(r->header("allow").find("OPTIONS") != std::string::npos);
    BOOST_TEST(!r->header("x-request-id").empty());
}

BOOST_AUTO_TEST_CASE(missing_credentials_get_401_with_basic_challenge) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send(ServerFixture::request("OPTIONS", "/dav/", {}, ""));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 401);
    BOOST_TEST(r->header("www-authenticate").find("Basic realm=\"Kalends\"") == 0u);
}

BOOST_AUTO_TEST_CASE(wrong_password_and_unknown_user_get_401_never_403) {
    ServerFixture f;
    for (auto auth : {basic_auth("alice", "nope"), basic_auth("mallory", "x"), std::string("Basic !!!"),
                      std::string("Bearer abc")}) {
        HttpClient c(f.port);
        c.send(ServerFixture::request("OPTIONS", "/dav/", {}, auth));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 401);
        BOOST_TEST(!r->header("www-authenticate").empty());
    }
}

BOOST_AUTO_TEST_CASE(repeated_failures_from_one_address_are_slowed_down) {
    ServerFixture f([](server::Config& c) {
        c.auth_free_failures = 2;
        c.auth_max_delay = 300ms;
    });
    HttpClient c(f.port);
    auto attempt = [&] {
        auto start = std::chrono::steady_clock::now();
        c.send(ServerFixture::request("OPTIONS", "/dav/", {}, basic_auth("alice", "wrong")));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 401);
        return std::chrono::steady_clock::now() - start;
    };
    attempt();
    attempt();
    // Third and later failures wait at least the first back-off step (125 ms).
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(attempt()).count() >= 120);
    // A correct password still works (and resets the counter).
    c.send(ServerFixture::request("OPTIONS", "/dav/"));
    auto ok = c.read_reply();
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->status == 200);
}

// Issue 22 §7: three wrong guesses at bob, one correct login as oneself, and
// again: the slow-down reset at each success, allowing 10 guesses a second.
BOOST_AUTO_TEST_CASE(a_success_for_ones_own_account_does_not_reset_the_slow_down_for_guesses_at_another) {
    ServerFixture f([](server::Config& c) {
        c.auth_free_failures = 2;
        c.auth_max_delay = 300ms;
    });
    HttpClient c(f.port);
    auto guess_at_bob = [&] {
        auto start = std::chrono::steady_clock::now();
        c.send(ServerFixture::request("OPTIONS", "/dav/", {}, basic_auth("bob", "guess")));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 401);
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    };
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 3; ++i) guess_at_bob();
        c.send(ServerFixture::request("OPTIONS", "/dav/"));  // alice, correctly
        auto ok = c.read_reply();
        BOOST_REQUIRE(ok);
        BOOST_TEST(ok->status == 200);
        BOOST_TEST(guess_at_bob().count() >= 120, "round " << round);
    }
}

BOOST_AUTO_TEST_CASE(failures_count_per_account_across_addresses_and_a_success_clears_only_its_own) {
    ServerFixture f;
    server::AuthOptions o;
    o.free_failures = 3;
    o.max_delay = 1000ms;
    server::Authenticator a(*f.store, o);
    auto bob_wrong = basic_auth("bob", "wrong");
    // A spray at bob from many addresses slows down after three, whatever the address.
    for (int i = 0; i < 3; ++i) BOOST_TEST(a.authenticate(bob_wrong, "10.0.0." + std::to_string(i)).delay.count() == 0);
    BOOST_TEST(a.authenticate(bob_wrong, "10.0.0.9").delay.count() > 0);
    // Alice's own typos, then her password: her slate from that address is clean.
    auto alice_wrong = basic_auth("alice", "typo");
    BOOST_TEST(a.authenticate(alice_wrong, "10.1.0.1").delay.count() == 0);
    BOOST_TEST(a.authenticate(alice_wrong, "10.1.0.1").delay.count() == 0);
    BOOST_TEST(a.authenticate(basic_auth("alice", "alice-pw"), "10.1.0.1").principal.has_value());
    BOOST_TEST(a.authenticate(alice_wrong, "10.1.0.1").delay.count() == 0);
    BOOST_TEST(a.authenticate(alice_wrong, "10.1.0.1").delay.count() == 0);
    // IPv6 addresses of one /64 count as one client.
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(a.authenticate(basic_auth("user" + std::to_string(i), "x"), "2001:db8::" + std::to_string(i + 1))
                       .delay.count() == 0);
    BOOST_TEST(a.authenticate(basic_auth("user9", "x"), "2001:db8::ff").delay.count() > 0);
}

// Names are stored in NFC (kalends user add); a client that sends the name
// decomposed (e + U+0301) logs in as the same account.
BOOST_AUTO_TEST_CASE(a_login_name_is_normalized_to_nfc_like_stored_names) {
    ServerFixture f;
    f.store->add_user("Jos\xc3\xa9", "jose@example.com", server::hash_password("jose-pw"));
    server::Authenticator a(*f.store, {});
    auto r = a.authenticate(basic_auth("Jose\xcc\x81", "jose-pw"), "127.0.0.1");
    BOOST_REQUIRE(r.principal.has_value());
    BOOST_TEST(r.principal->name == "Jos\xc3\xa9");
    BOOST_TEST(!a.authenticate(basic_auth("Jose\xcc\x81", "wrong"), "127.0.0.1").principal.has_value());
}

BOOST_AUTO_TEST_CASE(the_failure_tables_stay_bounded_under_a_spray_of_addresses_and_names) {
    ServerFixture f;
    server::AuthOptions o;
    o.free_failures = 2;
    o.max_delay = 1000ms;
    o.max_failure_entries = 64;
    o.max_concurrent_hashes = 2;
    server::Authenticator a(*f.store, o);
    auto bob_wrong = basic_auth("bob", "wrong");
    for (int i = 0; i < 3; ++i) a.authenticate(bob_wrong, "192.0.2.1");
    BOOST_TEST(a.authenticate(bob_wrong, "192.0.2.1").delay.count() > 0);
    // Malformed credentials from many addresses: the tables keep at most 64
    // entries each, the ones that failed longest ago going first.
    for (int i = 0; i < 300; ++i)
        a.authenticate("Basic !!", "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    BOOST_TEST(a.failure_entries() <= 3u * 64u);
    // The address spray pushed out the oldest address entries, but the
    // guesses at bob still count in the per-account table.
    BOOST_TEST(a.authenticate(bob_wrong, "192.0.2.1").delay.count() > 0);
}

// Password hashes are bounded: when the cached credentials of many busy
// connections expire together, one hash verifies them all and the others
// find them verified; wrong passwords, which must each be hashed, never run
// more hashes at once than the bound.
BOOST_AUTO_TEST_CASE(concurrent_logins_share_one_hash_and_respect_the_bound) {
    ServerFixture f;
    auto run_together = [](server::Authenticator& auth, const std::vector<std::string>& headers) {
        std::vector<std::future<bool>> done;
        for (const auto& h : headers)
            done.push_back(std::async(std::launch::async,
                                      [&auth, h] { return auth.authenticate(h, "127.0.0.1").principal.has_value(); }));
        std::size_t accepted = 0;
        for (auto& d : done) accepted += d.get() ? 1 : 0;
        return accepted;
    };
    server::AuthOptions one;
    one.max_concurrent_hashes = 1;
    one.max_delay = 0ms;
    server::Authenticator shared(*f.store, one);
    BOOST_TEST(run_together(shared, std::vector<std::string>(12, basic_auth("alice", "alice-pw"))) == 12u);
    BOOST_TEST(shared.hashes_computed() == 1u);

    server::AuthOptions two;
    two.max_concurrent_hashes = 2;
    two.max_delay = 0ms;
    server::Authenticator bounded(*f.store, two);
    std::vector<std::string> wrong;
    for (int i = 0; i < 8; ++i) wrong.push_back(basic_auth("alice", "wrong-" + std::to_string(i)));
    BOOST_TEST(run_together(bounded, wrong) == 0u);
    BOOST_TEST(bounded.hashes_computed() == 8u);
    BOOST_TEST(bounded.peak_concurrent_hashes() >= 1u);
    BOOST_TEST(bounded.peak_concurrent_hashes() <= 2u);
}

// Read requests run on a few reader threads, which must never be tied up by
// a password hash: a check that may not hash says so (and records no
// failure) unless the cache has verified the password before.
BOOST_AUTO_TEST_CASE(a_check_that_may_not_hash_defers_unverified_passwords) {
    ServerFixture f;
    server::AuthOptions o;
    o.free_failures = 1;
    server::Authenticator a(*f.store, o);
    auto right = basic_auth("alice", "alice-pw");
    auto wrong = basic_auth("alice", "wrong");
    auto r = a.authenticate(right, "127.0.0.1", false);
    BOOST_TEST(r.needs_hash);
    BOOST_TEST(!r.principal);
    for (int i = 0; i < 2; ++i) BOOST_TEST(a.authenticate(wrong, "127.0.0.1", false).needs_hash);
    BOOST_TEST(a.hashes_computed() == 0u);
    // No failure was counted: the first real one is still free of delay.
    auto failed = a.authenticate(wrong, "127.0.0.1", true);
    BOOST_TEST(!failed.needs_hash);
    BOOST_TEST(failed.delay.count() == 0);
    BOOST_TEST(a.authenticate(right, "127.0.0.1", true).principal.has_value());
    BOOST_TEST(a.hashes_computed() == 2u);
    // Verified once, the right password passes without a hash; a wrong one
    // still needs one.
    r = a.authenticate(right, "127.0.0.1", false);
    BOOST_TEST(r.principal.has_value());
    BOOST_TEST(!r.needs_hash);
    BOOST_TEST(a.authenticate(wrong, "127.0.0.1", false).needs_hash);
    BOOST_TEST(a.hashes_computed() == 2u);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
    ServerFixture f;
    HttpClient c(f.port);
    for (int i = 0; i < 5; ++i) {
        c.send(ServerFixture::request("OPTIONS", "/dav/"));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 200);
    }
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send(ServerFixture::request("OPTIONS", "/dav/") + ServerFixture::request("GET", "/health", {}, "") +
           ServerFixture::request("OPTIONS", "/dav/", {}, ""));
    auto a = c.read_reply();
    auto b = c.read_reply();
    auto d = c.read_reply();
    BOOST_REQUIRE(a && b && d);
    BOOST_TEST(a->status == 200);
    BOOST_TEST(!a->header("dav").empty());
    BOOST_TEST(b->status == 200);
    BOOST_TEST(b->body.find("kalends") == 0u);
    BOOST_TEST(d->status == 401);
}

BOOST_AUTO_TEST_CASE(oversized_header_gets_431_and_close) {
    ServerFixture f([](server::Config& c) { c.max_header_bytes = 2048; });
    HttpClient c(f.port);
    c.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 431);
    BOOST_TEST(c.closed_by_peer(2s));
}

BOOST_AUTO_TEST_CASE(oversized_body_gets_413) {
    ServerFixture f([](server::Config& c) { c.max_body_bytes = 1000; });
    HttpClient c(f.port);
    c.send(ServerFixture::request("PUT", "/dav/calendars/alice/calendar/x.ics", std::string(5000, 'x')));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 413);
}

BOOST_AUTO_TEST_CASE(expect_continue_with_oversized_length_gets_413_before_the_body) {
    ServerFixture f([](server::Config& c) { c.max_body_bytes = 1000; });
    HttpClient c(f.port);
    c.send("PUT /dav/calendars/alice/calendar/x.ics HTTP/1.1\r\nHost: x\r\nAuthorization: " +
           basic_auth("alice", "alice-pw") + "\r\nExpect: 100-continue\r\nContent-Length: 50000\r\n\r\n");
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 413);
}

BOOST_AUTO_TEST_CASE(expect_continue_gets_100_then_the_answer) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic_auth("alice", "alice-pw") +
           "\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    auto cont = c.read_reply();
    BOOST_REQUIRE(cont);
    BOOST_TEST(cont->status == 100);
    c.send("abcd");
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
}

BOOST_AUTO_TEST_CASE(slow_header_gets_408) {
    ServerFixture f([](server::Config& c) { c.header_timeout = 300ms; });
    HttpClient c(f.port);
    c.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
    auto r = c.read_reply(5s);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 408);
}

BOOST_AUTO_TEST_CASE(slow_body_gets_408) {
    ServerFixture f([](server::Config& c) { c.body_timeout = 300ms; });
    HttpClient d(f.port);
    d.send("PUT /dav/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    auto r = d.read_reply(5s);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 408);
}

BOOST_AUTO_TEST_CASE(idle_connection_is_closed_after_the_idle_timeout) {
    ServerFixture f([](server::Config& c) { c.idle_timeout = 200ms; });
    HttpClient c(f.port);
    c.send(ServerFixture::request("OPTIONS", "/dav/"));
    BOOST_REQUIRE(c.read_reply());
    BOOST_TEST(c.closed_by_peer(5s));
}

BOOST_AUTO_TEST_CASE(malformed_request_gets_400) {
    ServerFixture f;
    HttpClient c(f.port);
    c.send("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 400);
}

BOOST_AUTO_TEST_CASE(bad_percent_escape_and_dotdot_above_root_get_400) {
    ServerFixture f;
    for (std::string target : {"/dav/%zz/", "/../etc/passwd", "/dav/%00/"}) {
        HttpClient c(f.port);
        c.send(ServerFixture::request("OPTIONS", target));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 400, target);
    }
}

BOOST_AUTO_TEST_CASE(well_known_caldav_redirects_to_the_dav_root) {
    ServerFixture f;
    for (std::string method : {"GET", "PROPFIND", "OPTIONS"}) {
        HttpClient c(f.port);
        c.send(ServerFixture::request(method, "/.well-known/caldav", {}, ""));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 301);
        BOOST_TEST(r->header("location") == "/dav/");
    }
}

BOOST_AUTO_TEST_CASE(connections_past_the_limit_get_503) {
    ServerFixture f([](server::Config& c) { c.max_connections = 1; });
    HttpClient first(f.port);
    first.send(ServerFixture::request("GET", "/health", {}, ""));
    BOOST_REQUIRE(first.read_reply());
    HttpClient second(f.port);
    auto r = second.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 503);
}

// Issue 22 §6: 1,100 idle connections from one client denied everyone. One
// address at its own limit gets 503 for more, and another address is served.
BOOST_AUTO_TEST_CASE(one_address_at_its_connection_limit_does_not_stop_another_address) {
    ServerFixture f([](server::Config& c) {
        c.max_connections = 16;
        c.max_connections_per_address = 8;
    });
    std::vector<std::unique_ptr<HttpClient>> hog;
    for (int i = 0; i < 16; ++i) hog.push_back(std::make_unique<HttpClient>(f.port));
    std::size_t refused = 0;
    for (auto& h : hog)
        if (auto r = h->read_reply(300ms); r && r->status == 503) ++refused;
    BOOST_TEST(refused == 8u);
    HttpClient other(f.port, "127.0.0.2");
    other.send(ServerFixture::request("GET", "/health", {}, ""));
    auto r = other.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    // The hog's admitted connections still work.
    hog.front()->send(ServerFixture::request("GET", "/health", {}, ""));
    auto mine = hog.front()->read_reply();
    BOOST_REQUIRE(mine);
    BOOST_TEST(mine->status == 200);
}

// Above limits.pressure-percent, each new connection closes the longest-idle
// one: idle connections that fill the server make room for new clients.
BOOST_AUTO_TEST_CASE(under_pressure_the_longest_idle_connection_makes_room_for_a_new_client) {
    ServerFixture f([](server::Config& c) {
        c.max_connections = 4;
        c.max_connections_per_address = 0;
    });
    std::vector<std::unique_ptr<HttpClient>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<HttpClient>(f.port));
        idle.back()->send(ServerFixture::request("GET", "/health", {}, ""));
        BOOST_REQUIRE(idle.back()->read_reply());
        std::this_thread::sleep_for(20ms);
    }
    // The fourth went past 75 % of 4: the first, idle longest, was closed.
    BOOST_TEST(idle[0]->closed_by_peer(2s));
    std::this_thread::sleep_for(50ms);
    HttpClient newcomer(f.port, "127.0.0.2");
    newcomer.send(ServerFixture::request("GET", "/health", {}, ""));
    auto r = newcomer.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(idle[1]->closed_by_peer(2s));
    // The most recent idle connection was left alone.
    idle[3]->send(ServerFixture::request("GET", "/health", {}, ""));
    auto kept = idle[3]->read_reply();
    BOOST_REQUIRE(kept);
    BOOST_TEST(kept->status == 200);
}

// Above limits.pressure-percent with nothing idle to close (the others are
// in the middle of a request), a connection that goes idle gets the short
// idle timeout instead of limits.idle-timeout-ms.
BOOST_AUTO_TEST_CASE(under_pressure_idle_connections_get_the_short_idle_timeout) {
    ServerFixture f([](server::Config& c) {
        c.max_connections = 4;
        c.pressure_percent = 50;
        c.pressure_idle_timeout = 200ms;
    });
    HttpClient quiet(f.port);
    quiet.send(ServerFixture::request("GET", "/health", {}, ""));
    BOOST_REQUIRE(quiet.read_reply());
    // One of four is not above 50 %: the usual idle timeout (60 s).
    BOOST_TEST(!quiet.closed_by_peer(500ms));
    quiet.send(std::string("GET /health HTTP/1.1\r\nHost: x\r\n"));  // a header under way
    HttpClient busy(f.port);
    busy.send(std::string("GET /health HTTP/1.1\r\nHost: x\r\n"));
    std::this_thread::sleep_for(100ms);
    HttpClient c(f.port, "127.0.0.2");
    c.send(ServerFixture::request("GET", "/health", {}, ""));
    BOOST_REQUIRE(c.read_reply());
    BOOST_TEST(c.closed_by_peer(3s));
    // The busy ones were not closed to make room: they finish their requests.
    for (auto* h : {&quiet, &busy}) {
        h->send("\r\n");
        auto r = h->read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 200);
    }
}

// Issue 22 §10: "DELETE .../calendar/#/../../../other/" deleted the sender's
// own calendar, as the target was cut at "#". RFC 9112 §3.2 and RFC 3986:
// a fragment or a character outside the grammar is refused.
BOOST_AUTO_TEST_CASE(a_request_target_with_a_fragment_or_a_forbidden_character_gets_400) {
    ServerFixture f;
    HttpClient put(f.port);
    const std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:frag-1\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260102T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    put.send(ServerFixture::request("PUT", "/dav/calendars/alice/calendar/frag.ics", ics, std::nullopt,
                                    "Content-Type: text/calendar\r\n"));
    auto stored = put.read_reply();
    BOOST_REQUIRE(stored);
    BOOST_TEST(stored->status == 201);
    for (std::string target :
         {"/dav/calendars/alice/calendar/#/../../../bob/calendar/", "/dav/calendars/alice/calendar/#",
          "/dav/calendars/alice/calendar/frag.ics#x", "/dav/calendars/alice/cal\"endar/",
          "/dav/calendars/alice/{calendar}/", "/dav/calendars/alice/calendar/\x7f", "/dav/caf\xc3\xa9/",
          "/dav/calendars/alice/calendar/%4/", "http://localhost/dav/#/"}) {
        HttpClient c(f.port);
        c.send(ServerFixture::request("DELETE", target));
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 400, target);
    }
    HttpClient get(f.port);
    get.send(ServerFixture::request("GET", "/dav/calendars/alice/calendar/frag.ics"));
    auto still = get.read_reply();
    BOOST_REQUIRE(still);
    BOOST_TEST(still->status == 200);
    // What the grammar allows is still served: sub-delims, ":", "@", a query.
    HttpClient ok(f.port);
    ok.send(ServerFixture::request("OPTIONS", "/dav/calendars/alice/calendar/a;b=c,d!$'()*+:@x.ics?q=1/2"));
    auto allowed = ok.read_reply();
    BOOST_REQUIRE(allowed);
    BOOST_TEST(allowed->status != 400);
}

// RFC 9112 §6.1: a transfer coding the server does not understand is
// answered 501; only "chunked", alone, is read.
BOOST_AUTO_TEST_CASE(a_transfer_coding_other_than_chunked_gets_501) {
    ServerFixture f;
    for (std::string coding : {"xchunked", "gzip, chunked", "chunked, chunked", "identity"}) {
        HttpClient c(f.port);
        c.send("PUT /dav/calendars/alice/calendar/te.ics HTTP/1.1\r\nHost: x\r\nAuthorization: " +
               basic_auth("alice", "alice-pw") + "\r\nContent-Type: text/calendar\r\nTransfer-Encoding: " +
               coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        auto r = c.read_reply();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 501, coding);
    }
    HttpClient get(f.port);
    get.send(ServerFixture::request("GET", "/dav/calendars/alice/calendar/te.ics"));
    auto r = get.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 404);
    // Plain chunked is read as before.
    HttpClient chunked(f.port);
    chunked.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic_auth("alice", "alice-pw") +
                 "\r\nTransfer-Encoding: Chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
    auto ok = chunked.read_reply();
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->status == 200);
}

BOOST_AUTO_TEST_CASE(shutdown_lets_an_in_flight_request_finish) {
    ServerFixture f;
    HttpClient c(f.port);
    // Header and half the body sent: the request is in flight when stop() comes.
    c.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic_auth("alice", "alice-pw") +
           "\r\nContent-Length: 6\r\n\r\nabc");
    std::this_thread::sleep_for(100ms);
    auto stopped = std::async(std::launch::async, [&] { f.stop(); });
    std::this_thread::sleep_for(100ms);
    c.send("def");
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(r->header("connection") == "close");
    BOOST_TEST((stopped.wait_for(5s) == std::future_status::ready));
}

BOOST_AUTO_TEST_CASE(shutdown_closes_idle_connections_and_refuses_new_ones) {
    ServerFixture f;
    HttpClient idle(f.port);
    idle.send(ServerFixture::request("GET", "/health", {}, ""));
    BOOST_REQUIRE(idle.read_reply());
    f.stop();
    BOOST_TEST(idle.closed_by_peer(2s));
    BOOST_CHECK_THROW(HttpClient(f.port), std::runtime_error);
}

struct TlsFixture {
    test_support::TempDir certs;
    std::unique_ptr<ServerFixture> server;
    SSL_CTX* client = SSL_CTX_new(TLS_client_method());
    TlsFixture() {
        test_support::write_self_signed(certs.path() / "cert.pem", certs.path() / "key.pem");
        server = std::make_unique<ServerFixture>([&](server::Config& c) {
            c.tls_certificate = certs.path() / "cert.pem";
            c.tls_key = certs.path() / "key.pem";
        });
        SSL_CTX_set_verify(client, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_load_verify_locations(client, (certs.path() / "cert.pem").c_str(), nullptr);
    }
    ~TlsFixture() { SSL_CTX_free(client); }
};

BOOST_FIXTURE_TEST_CASE(tls_handshake_verifies_and_serves_requests, TlsFixture) {
    HttpClient c(server->port, client);
    BOOST_REQUIRE_MESSAGE(c.handshake_error().empty(), c.handshake_error());
    BOOST_TEST(SSL_version(c.ssl()) >= TLS1_2_VERSION);
    c.send(ServerFixture::request("OPTIONS", "/dav/"));
    auto r = c.read_reply();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
}

BOOST_FIXTURE_TEST_CASE(tls_below_1_2_is_refused, TlsFixture) {
    SSL_CTX_set_min_proto_version(client, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(client, TLS1_1_VERSION);
    SSL_CTX_set_security_level(client, 0);
    HttpClient c(server->port, client);
    BOOST_TEST(!c.handshake_error().empty());
}

BOOST_FIXTURE_TEST_CASE(tls_reload_picks_up_a_new_certificate, TlsFixture) {
    test_support::write_self_signed(certs.path() / "cert.pem", certs.path() / "key.pem");
    BOOST_TEST(server->http->reload_tls());
    // The client still trusts only the old certificate: new connections now fail.
    HttpClient c(server->port, client);
    BOOST_TEST(!c.handshake_error().empty());
}

BOOST_AUTO_TEST_SUITE_END()

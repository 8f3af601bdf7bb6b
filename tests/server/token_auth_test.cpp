// Personal access tokens as Bearer credentials (issue 24, RFC 6750 §2.1) in
// the Authenticator, and the per-principal RateLimiter with a clock the test moves.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "src/http/authenticator.hpp"
#include "src/http/rate_limiter.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

/// A store with user alice (password alice-pw) holding one token named "phone".
struct TokenFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    std::string token = server::new_access_token();

    TokenFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "tokens.sqlite3";
        store = server::SqliteStore::open(o);
        BOOST_TEST_REQUIRE((store->add_user("alice", "alice@example.com", server::hash_password("alice-pw")) ==
                            caldav::StoreStatus::ok));
        BOOST_TEST_REQUIRE((store->add_token("alice", "phone", server::hash_access_token(token)) ==
                            caldav::StoreStatus::ok));
    }
    std::string bearer() const { return "Bearer " + token; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(access_tokens)

BOOST_AUTO_TEST_CASE(a_new_token_is_kal_and_43_base64url_characters_and_never_repeats) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        auto t = server::new_access_token();
        BOOST_TEST(t.size() == 47u);
        BOOST_TEST(t.rfind("kal_", 0) == 0u);
        BOOST_TEST(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4) ==
                   std::string::npos);
        seen.insert(t);
    }
    BOOST_TEST(seen.size() == 50u);
    // The stored form is the SHA-256 in hex, not the token.
    BOOST_TEST(server::hash_access_token("abc") ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(a_bearer_token_logs_in_as_its_user_where_allowed) {
    TokenFixture f;
    server::Authenticator a(*f.store, {});
    auto r = a.authenticate(f.bearer(), "127.0.0.1", true, true);
    BOOST_REQUIRE(r.principal.has_value());
    BOOST_TEST(r.principal->name == "alice");
    BOOST_TEST(r.principal->id == f.store->find_principal("alice")->id);
    BOOST_TEST(a.hashes_computed() == 0u);  // no password hash for a token
    // The scheme is case-insensitive (RFC 9110 §11.1); Basic still works beside it.
    BOOST_TEST(a.authenticate("bearer  " + f.token, "127.0.0.1", true, true).principal.has_value());
    BOOST_TEST(a.authenticate(std::string("Basic YWxpY2U6YWxpY2UtcHc="), "127.0.0.1", true, true)
                   .principal.has_value());
}

BOOST_AUTO_TEST_CASE(a_bearer_token_is_refused_where_not_allowed_and_counts_as_a_failure) {
    TokenFixture f;
    server::AuthOptions o;
    o.free_failures = 2;
    server::Authenticator a(*f.store, o);
    for (int i = 0; i < 2; ++i) {
        auto r = a.authenticate(f.bearer(), "10.0.0.1");
        BOOST_TEST(!r.principal.has_value());
        BOOST_TEST(r.delay.count() == 0);
    }
    BOOST_TEST(a.authenticate(f.bearer(), "10.0.0.1", true, false).delay.count() > 0);
}

BOOST_AUTO_TEST_CASE(a_wrong_bearer_token_fails_and_slows_down_like_a_wrong_password) {
    TokenFixture f;
    server::AuthOptions o;
    o.free_failures = 2;
    server::Authenticator a(*f.store, o);
    auto wrong = "Bearer " + server::new_access_token();
    for (int i = 0; i < 2; ++i) {
        auto r = a.authenticate(wrong, "10.0.0.2", true, true);
        BOOST_TEST(!r.principal.has_value());
        BOOST_TEST(r.delay.count() == 0);
    }
    BOOST_TEST(a.authenticate(wrong, "10.0.0.2", true, true).delay.count() > 0);
    BOOST_TEST(a.authenticate(std::string("Bearer ") + std::string(5000, 'x'), "10.0.0.2", true, true)
                   .delay.count() > 0);
    BOOST_TEST(!a.authenticate(std::string("Bearer "), "10.0.0.3", true, true).principal.has_value());
    // Another address is not slowed down by these.
    BOOST_TEST(a.authenticate(f.bearer(), "10.0.0.9", true, true).principal.has_value());
}

BOOST_AUTO_TEST_CASE(a_revoked_token_stops_working_at_once) {
    TokenFixture f;
    server::Authenticator a(*f.store, {});
    BOOST_TEST(a.authenticate(f.bearer(), "127.0.0.1", true, true).principal.has_value());
    BOOST_TEST((f.store->revoke_token("alice", "phone") == caldav::StoreStatus::ok));
    BOOST_TEST(!a.authenticate(f.bearer(), "127.0.0.1", true, true).principal.has_value());
    BOOST_TEST((f.store->revoke_token("alice", "phone") == caldav::StoreStatus::not_found));
}

BOOST_AUTO_TEST_CASE(a_deleted_user_takes_their_tokens_along) {
    TokenFixture f;
    server::Authenticator a(*f.store, {});
    BOOST_TEST((f.store->delete_user("alice") == caldav::StoreStatus::ok));
    BOOST_TEST(!a.authenticate(f.bearer(), "127.0.0.1", true, true).principal.has_value());
    BOOST_TEST(!f.store->find_token(server::hash_access_token(f.token)));
}

BOOST_AUTO_TEST_CASE(the_last_use_is_written_once_a_minute_not_per_request) {
    TokenFixture f;
    server::Authenticator a(*f.store, {});
    BOOST_TEST(!f.store->list_tokens("alice")->front().last_used_at);
    auto before = std::time(nullptr);
    BOOST_TEST(a.authenticate(f.bearer(), "127.0.0.1", true, true).principal.has_value());
    auto first = f.store->list_tokens("alice")->front().last_used_at;
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(*first >= before);
    // A use a minute ago is recent enough: not written again.
    auto id = f.store->find_token(server::hash_access_token(f.token))->token_id;
    BOOST_TEST((f.store->touch_token(id, *first + 30) == caldav::StoreStatus::ok));
    BOOST_TEST(*f.store->list_tokens("alice")->front().last_used_at == *first);
    BOOST_TEST((f.store->touch_token(id, *first + 60) == caldav::StoreStatus::ok));
    BOOST_TEST(*f.store->list_tokens("alice")->front().last_used_at == *first + 60);
    // The authenticator leaves a last use of less than a minute ago alone,
    // even on a thread that may not block.
    BOOST_TEST(a.authenticate(f.bearer(), "127.0.0.1", true, true).principal.has_value());
    BOOST_TEST(a.authenticate(f.bearer(), "127.0.0.1", false, true).principal.has_value());
    BOOST_TEST(*f.store->list_tokens("alice")->front().last_used_at == *first + 60);
}

BOOST_AUTO_TEST_CASE(a_due_last_use_write_is_left_to_a_thread_that_may_block) {
    TokenFixture f;
    server::Authenticator a(*f.store, {});
    // Without may_hash (an I/O thread): no write, ask again where it may block.
    auto io = a.authenticate(f.bearer(), "127.0.0.1", false, true);
    BOOST_TEST(!io.principal.has_value());
    BOOST_TEST(io.needs_hash);
    BOOST_TEST(io.delay.count() == 0);
    BOOST_TEST(!f.store->list_tokens("alice")->front().last_used_at);
    auto handler = a.authenticate(f.bearer(), "127.0.0.1", true, true);
    BOOST_TEST(handler.principal.has_value());
    BOOST_TEST(f.store->list_tokens("alice")->front().last_used_at.has_value());
    BOOST_TEST(a.authenticate(f.bearer(), "127.0.0.1", false, true).principal.has_value());
}

BOOST_AUTO_TEST_CASE(token_names_are_unique_per_user_and_rooms_hold_none) {
    TokenFixture f;
    BOOST_TEST((f.store->add_token("alice", "phone", "other-hash") == caldav::StoreStatus::exists));
    BOOST_TEST((f.store->add_token("nobody", "phone", "other-hash") == caldav::StoreStatus::not_found));
    BOOST_TEST((f.store->add_resource("room1", "room1@example.com", "room", "accept-if-free") ==
                caldav::StoreStatus::ok));
    BOOST_TEST((f.store->add_token("room1", "x", "room-hash") == caldav::StoreStatus::not_found));
    BOOST_TEST(!f.store->list_tokens("room1"));
    BOOST_TEST((f.store->add_token("alice", "laptop", "laptop-hash") == caldav::StoreStatus::ok));
    auto list = f.store->list_tokens("alice");
    BOOST_REQUIRE(list.has_value());
    BOOST_REQUIRE(list->size() == 2u);
    BOOST_TEST((*list)[0].name == "laptop");
    BOOST_TEST((*list)[1].name == "phone");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// A steady_clock the test moves.
struct FakeClock {
    std::shared_ptr<std::atomic<std::int64_t>> ms = std::make_shared<std::atomic<std::int64_t>>(1000000);
    server::RateLimiter::Clock clock() const {
        return [ms = ms] { return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms->load())); };
    }
    void advance(std::chrono::milliseconds d) const { *ms += d.count(); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(a_burst_is_admitted_then_the_next_waits_for_the_refill) {
    FakeClock t;
    server::RateLimiter r(60, 3, t.clock());  // one a second, three at once
    for (int i = 0; i < 3; ++i) BOOST_TEST(!r.admit(7).has_value(), "request " << i);
    auto wait = r.admit(7);
    BOOST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 1);
    t.advance(999ms);
    BOOST_TEST(r.admit(7).has_value());
    t.advance(1ms);
    BOOST_TEST(!r.admit(7).has_value());
    BOOST_TEST(r.admit(7).has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_is_whole_seconds_until_a_request_would_pass) {
    FakeClock t;
    server::RateLimiter r(6, 1, t.clock());  // one every ten seconds
    BOOST_TEST(!r.admit(1).has_value());
    BOOST_TEST(r.admit(1)->count() == 10);
    t.advance(2500ms);
    BOOST_TEST(r.admit(1)->count() == 8);  // 7.5 s rounded up
    t.advance(7400ms);
    BOOST_TEST(r.admit(1)->count() == 1);  // 0.1 s is still at least a second
    t.advance(100ms);
    BOOST_TEST(!r.admit(1).has_value());
}

BOOST_AUTO_TEST_CASE(each_principal_has_a_bucket_of_its_own) {
    FakeClock t;
    server::RateLimiter r(60, 2, t.clock());
    BOOST_TEST(!r.admit(1).has_value());
    BOOST_TEST(!r.admit(1).has_value());
    BOOST_TEST(r.admit(1).has_value());
    BOOST_TEST(!r.admit(2).has_value());
    BOOST_TEST(!r.admit(2).has_value());
    BOOST_TEST(r.admit(2).has_value());
}

BOOST_AUTO_TEST_CASE(a_refill_never_holds_more_than_the_burst) {
    FakeClock t;
    server::RateLimiter r(60, 2, t.clock());
    BOOST_TEST(!r.admit(1).has_value());
    t.advance(1h);
    BOOST_TEST(!r.admit(1).has_value());
    BOOST_TEST(!r.admit(1).has_value());
    BOOST_TEST(r.admit(1).has_value());
}

BOOST_AUTO_TEST_CASE(zero_per_minute_admits_everything) {
    FakeClock t;
    server::RateLimiter r(0, 1, t.clock());
    for (int i = 0; i < 1000; ++i) BOOST_TEST_REQUIRE(!r.admit(1).has_value());
    BOOST_TEST(r.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_principals_are_forgotten_so_memory_stays_bounded) {
    FakeClock t;
    server::RateLimiter r(60, 5, t.clock());  // full again after five seconds
    for (std::int64_t p = 0; p < 1000; ++p) r.admit(p);
    BOOST_TEST(r.entries() == 1000u);
    t.advance(5s);
    r.admit(5000);
    BOOST_TEST(r.entries() == 1u);
    // A forgotten principal starts with a full bucket, as it would have had.
    for (int i = 0; i < 5; ++i) BOOST_TEST(!r.admit(3).has_value());
    BOOST_TEST(r.admit(3).has_value());
}

BOOST_AUTO_TEST_CASE(concurrent_callers_never_get_more_than_the_burst) {
    FakeClock t;
    server::RateLimiter r(60, 100, t.clock());
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (int j = 0; j < 100; ++j)
                if (!r.admit(42)) ++admitted;
        });
    for (auto& th : threads) th.join();
    BOOST_TEST(admitted.load() == 100);
}

BOOST_AUTO_TEST_SUITE_END()

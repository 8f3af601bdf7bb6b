// Contract cases (store_contract.hpp) for per-user limits (issue 29 §6,
// schema 0022 / PostgreSQL 0009): set by user name, read by principal id,
// each field on its own, cleared back to the server's, gone with the user.
#include "tests/storage/store_contract_cases.hpp"

#include "src/storage/account_store.hpp"

namespace contract {

namespace {

using caldav::UserLimits;

server::AccountStore& accounts(Fixture& f) { return dynamic_cast<server::AccountStore&>(f.store()); }

void limits_set_for_a_user_are_read_back_field_by_field_and_cleared(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    BOOST_TEST((f.store().user_limits(alice) == UserLimits{}));
    UserLimits set;
    set.quota_bytes = 5ULL << 30;
    set.max_objects_per_calendar = 0;  // 0 is a value (no limit), not "unset"
    BOOST_TEST((accounts(f).set_user_limits("alice", set) == StoreStatus::ok));
    f.reopen();
    auto read = f.store().user_limits(alice);
    BOOST_TEST((read == set));
    BOOST_TEST(!read.max_calendars.has_value());
    BOOST_TEST((f.store().user_limits(bob) == UserLimits{}));
    set.max_calendars = 3;
    set.quota_bytes.reset();
    BOOST_TEST((accounts(f).set_user_limits("alice", set) == StoreStatus::ok));
    BOOST_TEST((f.store().user_limits(alice) == set));
    BOOST_TEST((accounts(f).set_user_limits("alice", UserLimits{}) == StoreStatus::ok));
    BOOST_TEST((f.store().user_limits(alice) == UserLimits{}));
    BOOST_TEST((accounts(f).set_user_limits("nobody", set) == StoreStatus::not_found));
}

void a_users_limits_go_with_the_user(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    UserLimits set;
    set.max_calendars = 2;
    BOOST_TEST_REQUIRE((accounts(f).set_user_limits("alice", set) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((accounts(f).delete_user("alice") == StoreStatus::ok));
    BOOST_TEST((f.store().user_limits(alice) == UserLimits{}));
    auto again = f.add_user("alice", "alice@example.com");
    BOOST_TEST((f.store().user_limits(again) == UserLimits{}));
}

constexpr Case cases[] = {
    {"limits_set_for_a_user_are_read_back_field_by_field_and_cleared",
     limits_set_for_a_user_are_read_back_field_by_field_and_cleared},
    {"a_users_limits_go_with_the_user", a_users_limits_go_with_the_user},
};

}  // namespace

std::span<const Case> user_limits_cases() { return cases; }

}  // namespace contract

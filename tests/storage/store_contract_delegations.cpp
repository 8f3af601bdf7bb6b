// Contract cases (store_contract.hpp) for delegation (issue 25 §5, schema
// 0020 / PostgreSQL 0007): a delegator's two proxy groups are replaced a
// group at a time, a delegate is in one group at most, the delegator and
// unknown ids are skipped, and every home whose access changes moves on.
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

using caldav::DelegationRecord;
using caldav::ProxyMode;

std::vector<std::string> delegate_names(const std::vector<DelegationRecord>& rows, ProxyMode mode) {
    std::vector<std::string> out;
    for (const auto& d : rows)
        if (d.mode == mode) out.push_back(d.delegate.name);
    return out;
}

std::int64_t home_revision(Fixture& f, std::int64_t id) {
    auto h = f.store().find_home(id);
    BOOST_TEST_REQUIRE(h.has_value());
    return h->revision;
}

void a_delegators_groups_are_set_a_group_at_a_time_and_read_from_both_sides(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    BOOST_TEST_REQUIRE((f.store().set_delegates(alice, ProxyMode::write, {bob, alice, bob + carol + 1000}) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((f.store().set_delegates(alice, ProxyMode::read, {carol}) == StoreStatus::ok));
    f.reopen();
    auto mine = f.store().delegations_of(alice);
    BOOST_TEST(delegate_names(mine, ProxyMode::write) == std::vector<std::string>{"bob"});
    BOOST_TEST(delegate_names(mine, ProxyMode::read) == std::vector<std::string>{"carol"});
    auto bobs = f.store().delegations_to(bob);
    BOOST_TEST_REQUIRE(bobs.size() == 1u);
    BOOST_TEST(bobs[0].delegator.name == "alice");
    BOOST_TEST(bobs[0].delegator.email == "alice@example.com");
    BOOST_TEST((bobs[0].mode == ProxyMode::write));
    BOOST_TEST(f.store().delegations_to(alice).empty());
    // Carol moves to the write group: she leaves the read group; bob, not named, leaves.
    BOOST_TEST_REQUIRE((f.store().set_delegates(alice, ProxyMode::write, {carol}) == StoreStatus::ok));
    mine = f.store().delegations_of(alice);
    BOOST_TEST(delegate_names(mine, ProxyMode::write) == std::vector<std::string>{"carol"});
    BOOST_TEST(delegate_names(mine, ProxyMode::read).empty());
    BOOST_TEST(f.store().delegations_to(bob).empty());
    BOOST_TEST((f.store().set_delegates(alice + bob + carol + 1000, ProxyMode::read, {bob}) == StoreStatus::not_found));
}

void a_delegation_change_moves_the_homes_of_everyone_it_concerns(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    const auto a0 = home_revision(f, alice), b0 = home_revision(f, bob), c0 = home_revision(f, carol);
    BOOST_TEST_REQUIRE((f.store().set_delegates(alice, ProxyMode::read, {bob}) == StoreStatus::ok));
    BOOST_TEST(home_revision(f, alice) > a0);
    BOOST_TEST(home_revision(f, bob) > b0);
    BOOST_TEST(home_revision(f, carol) == c0);
    // Bob, removed, learns of it too.
    const auto b1 = home_revision(f, bob);
    BOOST_TEST_REQUIRE((f.store().set_delegates(alice, ProxyMode::read, {}) == StoreStatus::ok));
    BOOST_TEST(home_revision(f, bob) > b1);
    BOOST_TEST(f.store().delegations_of(alice).empty());
}

constexpr Case cases[] = {
    {"a_delegators_groups_are_set_a_group_at_a_time_and_read_from_both_sides",
     a_delegators_groups_are_set_a_group_at_a_time_and_read_from_both_sides},
    {"a_delegation_change_moves_the_homes_of_everyone_it_concerns",
     a_delegation_change_moves_the_homes_of_everyone_it_concerns},
};

}  // namespace

std::span<const Case> delegations_cases() { return cases; }

}  // namespace contract

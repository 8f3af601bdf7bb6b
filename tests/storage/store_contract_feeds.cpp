// Contract cases (store_contract.hpp) for public feeds (issue 25 §8, schema
// 0020 / PostgreSQL 0005): a feed is found by its secret's hash only, listed
// per calendar, revoked on its own, and goes with its calendar; only the
// owner's calendars take one.
#include "tests/storage/store_contract_cases.hpp"

#include "caldav/store_feeds.hpp"

namespace contract {

namespace {

using caldav::PublicFeed;

caldav::FeedStore& feeds(Fixture& f) { return dynamic_cast<caldav::FeedStore&>(f.store()); }

PublicFeed feed(std::int64_t owner, std::int64_t collection, const std::string& hash, bool free_busy) {
    PublicFeed p;
    p.owner_id = owner;
    p.collection_id = collection;
    p.token_hash = hash;
    p.free_busy = free_busy;
    p.created_at = day0;
    return p;
}

void a_feed_is_found_by_its_hash_listed_with_its_calendar_and_revoked(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto work = make_collection(f, alice, "work");
    auto full = feed(alice, work.id, std::string(64, 'a'), false);
    auto busy = feed(alice, work.id, std::string(64, 'b'), true);
    BOOST_TEST_REQUIRE((feeds(f).add_feed(full) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((feeds(f).add_feed(busy) == StoreStatus::ok));
    BOOST_TEST(full.id != busy.id);
    f.reopen();
    auto found = feeds(f).find_feed(std::string(64, 'b'));
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == busy.id);
    BOOST_TEST(found->free_busy);
    BOOST_TEST(found->owner_id == alice);
    BOOST_TEST(found->collection_name == "work");
    BOOST_TEST(found->owner_name == "alice");
    BOOST_TEST(found->created_at == day0);
    BOOST_TEST(!feeds(f).find_feed(std::string(64, 'c')).has_value());
    auto listed = feeds(f).feeds_of_collection(work.id);
    BOOST_TEST_REQUIRE(listed.size() == 2u);
    BOOST_TEST(listed[0].id == full.id);
    BOOST_TEST(!listed[0].free_busy);
    auto again = feed(alice, work.id, std::string(64, 'a'), true);
    BOOST_TEST((feeds(f).add_feed(again) == StoreStatus::exists));
    BOOST_TEST((feeds(f).remove_feed(work.id, full.id) == StoreStatus::ok));
    BOOST_TEST((feeds(f).remove_feed(work.id, full.id) == StoreStatus::not_found));
    BOOST_TEST(!feeds(f).find_feed(std::string(64, 'a')).has_value());
    BOOST_TEST(feeds(f).feeds_of_collection(work.id).size() == 1u);
}

void a_feed_goes_with_its_calendar_and_takes_only_its_owners_calendars(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    auto bobs = feed(bob, work.id, std::string(64, 'd'), false);
    BOOST_TEST((feeds(f).add_feed(bobs) == StoreStatus::not_found));
    auto gone = feed(alice, work.id + 1000, std::string(64, 'e'), false);
    BOOST_TEST((feeds(f).add_feed(gone) == StoreStatus::not_found));
    auto p = feed(alice, work.id, std::string(64, 'f'), false);
    BOOST_TEST_REQUIRE((feeds(f).add_feed(p) == StoreStatus::ok));
    BOOST_TEST((f.store().delete_collection(work.id) == StoreStatus::ok));
    BOOST_TEST(!feeds(f).find_feed(std::string(64, 'f')).has_value());
}

// Issue 25 §8: a feed's URL names no calendar, so a calendar moved to a new
// name (MOVE) keeps its feeds; a copy has none.
void a_moved_calendar_keeps_its_feeds(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto work = make_collection(f, alice, "work");
    auto p = feed(alice, work.id, std::string(64, 'g'), true);
    BOOST_TEST_REQUIRE((feeds(f).add_feed(p) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((f.store().copy_collection(alice, "work", "budget", true, false, true).status == StoreStatus::ok));
    auto found = feeds(f).find_feed(std::string(64, 'g'));
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == p.id);
    BOOST_TEST(found->collection_name == "budget");
    BOOST_TEST(found->free_busy);
    BOOST_TEST_REQUIRE((f.store().copy_collection(alice, "budget", "copy", true, false, false).status == StoreStatus::ok));
    BOOST_TEST(feeds(f).feeds_of_collection(f.store().find_collection(alice, "copy")->id).empty());
    BOOST_TEST(feeds(f).find_feed(std::string(64, 'g'))->collection_name == "budget");
}

constexpr Case cases[] = {
    {"a_feed_is_found_by_its_hash_listed_with_its_calendar_and_revoked",
     a_feed_is_found_by_its_hash_listed_with_its_calendar_and_revoked},
    {"a_feed_goes_with_its_calendar_and_takes_only_its_owners_calendars",
     a_feed_goes_with_its_calendar_and_takes_only_its_owners_calendars},
    {"a_moved_calendar_keeps_its_feeds", a_moved_calendar_keeps_its_feeds},
};

}  // namespace

std::span<const Case> feeds_cases() { return cases; }

}  // namespace contract

// Contract cases (store_contract.hpp) for push subscriptions (issue 26 §5,
// schema 0019): one row per owner, collection and endpoint, updated in
// place; owners see only their own; registrations expire and go with their
// collection; a change to a watched collection queues one "davpush" job.
#include "tests/storage/store_contract_cases.hpp"

#include "caldav/webdav_push.hpp"

namespace contract {

namespace {

using caldav::PushSubscription;

const std::string p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

PushSubscription subscription(std::int64_t owner, const std::string& endpoint, std::int64_t collection = 0,
                              std::int64_t expires = 0) {
    PushSubscription s;
    s.owner_id = owner;
    s.collection_id = collection;
    s.endpoint = endpoint;
    s.p256dh = p256dh;
    s.auth = "BTBZMqHH6r4Tts7J_aSIgg";
    s.created_at = day0;
    s.expires_at = expires;
    return s;
}

std::vector<std::string> endpoints(const std::vector<PushSubscription>& subs) {
    std::vector<std::string> out;
    for (const auto& s : subs) out.push_back(s.endpoint);
    return out;
}

std::size_t davpush_jobs(Fixture& f, std::int64_t collection_id) {
    std::size_t n = 0;
    for (const auto& j : f.jobs().list_jobs(caldav::davpush_job_kind))
        if (j.payload == std::to_string(collection_id) && !j.failed_at) ++n;
    return n;
}

void a_subscription_is_stored_listed_for_its_owner_only_and_removed(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto a1 = subscription(alice, "https://push.example.net/a1");
    auto a2 = subscription(alice, "https://push.example.net/a2");
    auto b1 = subscription(bob, "https://push.example.net/b1");
    for (auto* s : {&a1, &a2, &b1}) BOOST_TEST_REQUIRE((f.push().put_push_subscription(*s) == StoreStatus::ok));
    BOOST_TEST(a1.id != a2.id);
    f.reopen();
    BOOST_TEST(endpoints(f.push().push_subscriptions_of(alice)) ==
                   (std::vector<std::string>{"https://push.example.net/a1", "https://push.example.net/a2"}),
               boost::test_tools::per_element());
    auto found = f.push().find_push_subscription(alice, a2.id);
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->p256dh == p256dh);
    BOOST_TEST(found->created_at == day0);
    BOOST_TEST(!f.push().find_push_subscription(bob, a2.id).has_value());
    BOOST_TEST((f.push().remove_push_subscription(bob, a2.id) == StoreStatus::not_found));
    BOOST_TEST((f.push().remove_push_subscription(alice, a2.id) == StoreStatus::ok));
    BOOST_TEST((f.push().remove_push_subscription(alice, a2.id) == StoreStatus::not_found));
    BOOST_TEST(f.push().push_subscriptions_of(alice).size() == 1u);
    BOOST_TEST(f.push().push_subscriptions_of(bob).size() == 1u);
}

void registering_an_endpoint_again_updates_its_keys_and_keeps_its_id(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto first = subscription(alice, "https://push.example.net/a");
    BOOST_TEST_REQUIRE((f.push().put_push_subscription(first) == StoreStatus::ok));
    auto again = subscription(alice, "https://push.example.net/a");
    again.auth = "AAAAAAAAAAAAAAAAAAAAAA";
    again.created_at = day0 + hour;
    BOOST_TEST_REQUIRE((f.push().put_push_subscription(again) == StoreStatus::ok));
    BOOST_TEST(again.id == first.id);
    BOOST_TEST(again.created_at == day0);
    auto all = f.push().push_subscriptions_of(alice);
    BOOST_TEST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all[0].auth == "AAAAAAAAAAAAAAAAAAAAAA");
    BOOST_TEST((f.push().push_delivered(first.id, day0 + 2 * hour) == StoreStatus::ok));
    BOOST_TEST(f.push().push_subscriptions_of(alice)[0].last_ok == day0 + 2 * hour);
    BOOST_TEST((f.push().push_delivered(first.id + 1000, day0) == StoreStatus::not_found));
}

void collection_registrations_are_apart_from_user_subscriptions_expire_and_go_with_the_collection(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    auto user_level = subscription(alice, "https://push.example.net/same");
    auto on_work = subscription(alice, "https://push.example.net/same", work.id, day0 + hour);
    auto bobs = subscription(bob, "https://push.example.net/bob", work.id, day0 + 3 * hour);
    for (auto* s : {&user_level, &on_work, &bobs}) BOOST_TEST_REQUIRE((f.push().put_push_subscription(*s) == StoreStatus::ok));
    BOOST_TEST(on_work.id != user_level.id);
    BOOST_TEST(f.push().push_subscriptions_of(alice).size() == 1u);
    BOOST_TEST(f.push().collection_push_subscriptions(work.id, day0).size() == 2u);
    BOOST_TEST(endpoints(f.push().collection_push_subscriptions(work.id, day0 + 2 * hour)) ==
                   (std::vector<std::string>{"https://push.example.net/bob"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.push().prune_push_subscriptions(day0 + 2 * hour, 10) == 1u);
    BOOST_TEST(!f.push().find_push_subscription(alice, on_work.id).has_value());
    auto gone = subscription(alice, "https://push.example.net/x", work.id + 1000);
    BOOST_TEST((f.push().put_push_subscription(gone) == StoreStatus::not_found));
    BOOST_TEST((f.store().delete_collection(work.id) == StoreStatus::ok));
    BOOST_TEST(!f.push().find_push_subscription(bob, bobs.id).has_value());
    BOOST_TEST(f.push().push_subscriptions_of(alice).size() == 1u);
}

void a_write_to_a_watched_collection_queues_one_davpush_job_until_a_worker_takes_it(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto work = make_collection(f, alice, "work");
    auto home = make_collection(f, alice, "home");
    put(f, calendar_object(work.id, "before.ics", event("before", day0, day0 + hour)));
    BOOST_TEST(davpush_jobs(f, work.id) == 0u);  // nobody watches yet
    auto watch = subscription(alice, "https://push.example.net/w", work.id);
    BOOST_TEST_REQUIRE((f.push().put_push_subscription(watch) == StoreStatus::ok));
    put(f, calendar_object(work.id, "a.ics", event("a", day0, day0 + hour)));
    put(f, calendar_object(work.id, "b.ics", event("b", day0, day0 + hour)));
    put(f, calendar_object(home.id, "c.ics", event("c", day0, day0 + hour)));
    BOOST_TEST(davpush_jobs(f, work.id) == 1u);  // two writes, one waiting push
    BOOST_TEST(davpush_jobs(f, home.id) == 0u);
    auto jobs = f.jobs().list_jobs(caldav::davpush_job_kind);
    BOOST_TEST_REQUIRE(jobs.size() == 1u);
    BOOST_TEST(jobs[0].owner_id == alice);
    // Once a worker holds it, the next change queues another.
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto leased = f.jobs().lease_jobs({std::string(caldav::davpush_job_kind)}, now + 5, now + 300, "w", 10);
    BOOST_TEST_REQUIRE(leased.size() == 1u);
    BOOST_TEST((f.store().delete_object(work.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(davpush_jobs(f, work.id) == 2u);
}

/// A calendar's MOVE (issue 25 §7) takes its WebDAV-Push registrations
/// along, its owner's and its sharees', in the same transaction: the next
/// change of the moved calendar is pushed to them, under the topic they
/// registered under (the old calendar's, the one their client knows). A
/// registration made again on the new calendar takes its topic; a copy has
/// no registrations.
void a_moved_calendar_keeps_its_push_registrations_under_the_topic_they_were_made_under(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    put(f, calendar_object(work.id, "a.ics", event("a", day0, day0 + hour)));
    auto owners = subscription(alice, "https://push.example.net/alice", work.id);
    auto sharees = subscription(bob, "https://push.example.net/bob", work.id);
    for (auto* s : {&owners, &sharees}) BOOST_TEST_REQUIRE((f.push().put_push_subscription(*s) == StoreStatus::ok));
    const auto old_topic = caldav::push_topic(work.id);
    BOOST_TEST_REQUIRE((f.store().copy_collection(alice, "work", "budget", true, false, true).status == StoreStatus::ok));
    auto budget = f.store().find_collection(alice, "budget");
    BOOST_TEST_REQUIRE(budget.has_value());
    auto moved = f.push().collection_push_subscriptions(budget->id, day0);
    BOOST_TEST(endpoints(moved) ==
                   (std::vector<std::string>{"https://push.example.net/alice", "https://push.example.net/bob"}),
               boost::test_tools::per_element());
    for (const auto& s : moved) BOOST_TEST(s.topic == old_topic);
    auto bobs = f.push().find_push_subscription(bob, sharees.id);  // the same registration (its URL)
    BOOST_TEST_REQUIRE(bobs.has_value());
    BOOST_TEST(bobs->collection_id == budget->id);
    BOOST_TEST(f.push().collection_push_subscriptions(work.id, day0).empty());
    // The moved calendar's next change is pushed (once a worker holds the
    // push the move itself may have queued).
    const auto before = davpush_jobs(f, budget->id);
    BOOST_TEST(before <= 1u);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    f.jobs().lease_jobs({std::string(caldav::davpush_job_kind)}, now + 5, now + 300, "w", 10);
    put(f, calendar_object(budget->id, "b.ics", event("b", day0, day0 + hour)));
    BOOST_TEST(davpush_jobs(f, budget->id) == before + 1);
    // Moved again: still the topic the client knows.
    BOOST_TEST_REQUIRE((f.store().copy_collection(alice, "budget", "money", true, false, true).status == StoreStatus::ok));
    auto money = f.store().find_collection(alice, "money");
    BOOST_TEST_REQUIRE(money.has_value());
    auto again = f.push().find_push_subscription(bob, sharees.id);
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(again->collection_id == money->id);
    BOOST_TEST(again->topic == old_topic);
    // Alice's client registers again at the new URL: it knows the new topic now.
    auto renewed = subscription(alice, "https://push.example.net/alice", money->id);
    BOOST_TEST_REQUIRE((f.push().put_push_subscription(renewed) == StoreStatus::ok));
    BOOST_TEST(renewed.id == owners.id);
    BOOST_TEST(f.push().find_push_subscription(alice, owners.id)->topic == "");
    // A copy is watched by nobody.
    BOOST_TEST_REQUIRE((f.store().copy_collection(alice, "money", "copy", true, false, false).status == StoreStatus::ok));
    BOOST_TEST(f.push().collection_push_subscriptions(f.store().find_collection(alice, "copy")->id, day0).empty());
    BOOST_TEST(f.push().collection_push_subscriptions(money->id, day0).size() == 2u);
}

constexpr Case cases[] = {
    {"a_subscription_is_stored_listed_for_its_owner_only_and_removed",
     a_subscription_is_stored_listed_for_its_owner_only_and_removed},
    {"registering_an_endpoint_again_updates_its_keys_and_keeps_its_id",
     registering_an_endpoint_again_updates_its_keys_and_keeps_its_id},
    {"collection_registrations_are_apart_from_user_subscriptions_expire_and_go_with_the_collection",
     collection_registrations_are_apart_from_user_subscriptions_expire_and_go_with_the_collection},
    {"a_write_to_a_watched_collection_queues_one_davpush_job_until_a_worker_takes_it",
     a_write_to_a_watched_collection_queues_one_davpush_job_until_a_worker_takes_it},
    {"a_moved_calendar_keeps_its_push_registrations_under_the_topic_they_were_made_under",
     a_moved_calendar_keeps_its_push_registrations_under_the_topic_they_were_made_under},
};

}  // namespace

std::span<const Case> push_cases() { return cases; }

}  // namespace contract

// Contract cases (store_contract.hpp) for idempotency records (issue 24): the
// answer to a POST is recorded in the transaction of the write it made.
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

using Kind = caldav::ObjectWrite::Kind;

caldav::IdempotencyRecord record(std::int64_t principal, const std::string& key, const std::string& body,
                                 std::int64_t created_at = day0) {
    return {principal, key, "sha256:" + body, 201, body, created_at};
}

caldav::WriteSet set_putting(const PutObject& o, caldav::IdempotencyRecord r) {
    caldav::WriteSet set;
    set.writes.push_back({Kind::put, o, 0});
    set.idempotency = std::move(r);
    return set;
}

void an_idempotency_record_is_committed_with_its_write(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto set = set_putting(calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour)),
                           record(alice, "key-1", R"({"event_id":"uid-a"})"));
    auto done = f.store().commit(set);
    BOOST_TEST_REQUIRE((done.status == StoreStatus::ok));
    BOOST_TEST(!done.idempotency_taken);
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
    f.reopen();
    auto found = f.store().find_idempotency(alice, "key-1");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->principal_id == alice);
    BOOST_TEST(found->key == "key-1");
    BOOST_TEST(found->request_hash == R"(sha256:{"event_id":"uid-a"})");
    BOOST_TEST(found->status == 201);
    BOOST_TEST(found->body == R"({"event_id":"uid-a"})");
    BOOST_TEST(found->created_at == day0);
    BOOST_TEST(!f.store().find_idempotency(alice, "key-2"));
}

void an_idempotency_record_is_absent_when_its_write_is_refused(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto stale = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour));
    stale.if_match = "stale";
    auto refused = f.store().commit(set_putting(stale, record(alice, "key-1", "{}")));
    BOOST_TEST((refused.status == StoreStatus::etag_mismatch));
    BOOST_TEST(refused.failed == 0u);
    BOOST_TEST(!refused.idempotency_taken);
    BOOST_TEST(!f.store().find_idempotency(alice, "key-1"));

    // The key stays free: the retry that succeeds records it.
    stale.if_match.reset();
    auto done = f.store().commit(set_putting(stale, record(alice, "key-1", "{}")));
    BOOST_TEST((done.status == StoreStatus::ok));
    BOOST_TEST(f.store().find_idempotency(alice, "key-1").has_value());
}

void a_taken_idempotency_key_refuses_the_set_without_writing_anything(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto cal = make_collection(f, alice, "work");
    auto first = f.store().commit(set_putting(calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour)),
                                              record(alice, "key-1", "first")));
    BOOST_TEST_REQUIRE((first.status == StoreStatus::ok));
    auto before = revision_of(f, alice, "work");

    auto second = set_putting(calendar_object(cal.id, "b.ics", event("uid-b", day0, day0 + hour)),
                              record(alice, "key-1", "second", day0 + 60));
    second.mail = {mail_to(alice, "carol@outside.test")};
    second.jobs = {job("reminder", 100, "p")};
    auto taken = f.store().commit(second);
    BOOST_TEST((taken.status == StoreStatus::exists));
    BOOST_TEST(taken.idempotency_taken);
    BOOST_TEST(taken.failed == second.writes.size());
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
    BOOST_TEST(revision_of(f, alice, "work") == before);
    BOOST_TEST(f.jobs().list_jobs("").empty());
    auto kept = f.store().find_idempotency(alice, "key-1");
    BOOST_TEST_REQUIRE(kept.has_value());
    BOOST_TEST(kept->body == "first");

    // Keys are per principal: bob's "key-1" is his own.
    auto bobs = f.store().commit(set_putting(calendar_object(cal.id, "c.ics", event("uid-c", day0, day0 + hour)),
                                             record(bob, "key-1", "bob's")));
    BOOST_TEST((bobs.status == StoreStatus::ok));
    BOOST_TEST(f.store().find_idempotency(bob, "key-1")->body == "bob's");
}

void pruning_deletes_the_idempotency_records_older_than_the_cut_oldest_first(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    const std::int64_t times[] = {day0, day0 + 10, day0 + 20, day0 + 30};
    for (std::size_t i = 0; i < std::size(times); ++i) {
        auto name = "e" + std::to_string(i);
        auto r = f.store().commit(set_putting(calendar_object(cal.id, name + ".ics", event("uid-" + name, day0, day0 + hour)),
                                              record(alice, name, name, times[i])));
        BOOST_TEST_REQUIRE((r.status == StoreStatus::ok));
    }
    BOOST_TEST(f.store().prune_idempotency(day0 + 25, 2) == 2u);
    BOOST_TEST(!f.store().find_idempotency(alice, "e0"));
    BOOST_TEST(!f.store().find_idempotency(alice, "e1"));
    BOOST_TEST(f.store().find_idempotency(alice, "e2").has_value());
    BOOST_TEST(f.store().prune_idempotency(day0 + 25, 2) == 1u);
    BOOST_TEST(!f.store().find_idempotency(alice, "e2"));
    BOOST_TEST(f.store().find_idempotency(alice, "e3").has_value());
    // The writes they answered stay.
    BOOST_TEST(f.store().find_object(cal.id, "e0.ics", false).has_value());
}

constexpr Case cases[] = {
    {"an_idempotency_record_is_committed_with_its_write", an_idempotency_record_is_committed_with_its_write},
    {"an_idempotency_record_is_absent_when_its_write_is_refused",
     an_idempotency_record_is_absent_when_its_write_is_refused},
    {"a_taken_idempotency_key_refuses_the_set_without_writing_anything",
     a_taken_idempotency_key_refuses_the_set_without_writing_anything},
    {"pruning_deletes_the_idempotency_records_older_than_the_cut_oldest_first",
     pruning_deletes_the_idempotency_records_older_than_the_cut_oldest_first},
};

}  // namespace

std::span<const Case> idempotency_cases() { return cases; }

}  // namespace contract

// Contract cases (store_contract.hpp) for revisions and the change logs of
// collections and homes (RFC 6578).
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

// -------------------------------------------------- revisions and sync (RFC 6578)

void the_revision_grows_by_exactly_one_per_member_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    auto rev = [&] { return revision_of(f, alice, "work"); };
    auto r = rev();
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST(rev() == r + 1);
    put_event(f, cal.id, "a.ics", "uid-a", day0, day0 + hour);
    BOOST_TEST(rev() == r + 2);
    // Refused writes change nothing.
    auto stale = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + 2 * hour));
    stale.if_match = etag;
    BOOST_TEST((f.store().put_object(stale).status == StoreStatus::etag_mismatch));
    BOOST_TEST(
        (f.store().delete_object(cal.id, "missing.ics", std::nullopt) == StoreStatus::not_found));
    BOOST_TEST(rev() == r + 2);
    put_event(f, other.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().copy_object(other.id, "b.ics", cal.id, "b.ics", false, false).status ==
                StoreStatus::ok));
    BOOST_TEST(rev() == r + 3);
    auto third = make_collection(f, alice, "third");
    BOOST_TEST((f.store().copy_object(cal.id, "b.ics", third.id, "b.ics", false, true).status ==
                StoreStatus::ok));
    BOOST_TEST(rev() == r + 4);
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(rev() == r + 5);
    BOOST_TEST(revision_of(f, alice, "other") == 1);  // the source of a copy is not changed
    BOOST_TEST(revision_of(f, alice, "third") == 1);
}

void changes_since_lists_each_member_once_with_its_latest_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto r0 = revision_of(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    put_event(f, cal.id, "b.ics", "b");
    auto mid = revision_of(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a", day0, day0 + hour);
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    auto r4 = revision_of(f, alice, "work");
    BOOST_TEST(r4 == r0 + 4);
    auto all = f.store().changes_since(cal.id, r0, 100);
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST_REQUIRE(all->changes.size() == 2u);  // one row per member: its latest change
    BOOST_TEST(all->revision == r4);
    auto since_mid = f.store().changes_since(cal.id, mid, 100);
    BOOST_TEST_REQUIRE(since_mid.has_value());
    BOOST_TEST_REQUIRE(since_mid->changes.size() == 2u);
    BOOST_TEST(since_mid->changes[0].name == "a.ics");
    BOOST_TEST(!since_mid->changes[0].deleted);
    BOOST_TEST(since_mid->changes[1].name == "b.ics");
    BOOST_TEST(since_mid->changes[1].deleted);  // a tombstone
    BOOST_TEST(since_mid->changes[0].revision < since_mid->changes[1].revision);
    // A change carries the member as it is now (metadata, no data); a deleted one none.
    BOOST_TEST_REQUIRE(since_mid->changes[0].object.has_value());
    auto now_a = f.store().find_object(cal.id, "a.ics", false);
    BOOST_TEST(since_mid->changes[0].object->etag == now_a->etag);
    BOOST_TEST(since_mid->changes[0].object->name == "a.ics");
    BOOST_TEST(since_mid->changes[0].object->text().empty());
    BOOST_TEST(!since_mid->changes[1].object);
    BOOST_TEST(f.store().changes_since(cal.id, r4, 100)->changes.empty());
    BOOST_TEST(f.store().changes_since(cal.id, r4, 100)->revision == r4);
}

// A client pages a large change log by revision: `since` is the revision of
// the last change it got. Writes between its pages must not make it miss a
// change or get one twice unless the member changed again.
void changes_since_pages_without_skipping_or_repeating_a_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    std::map<std::string, bool> state;  // name: deleted
    auto write = [&](int i) {
        auto name = "m" + std::to_string(i % 13) + ".ics";
        if (i % 5 == 4 && state.count(name) && !state[name]) {
            BOOST_TEST_REQUIRE(
                (f.store().delete_object(cal.id, name, std::nullopt) == StoreStatus::ok));
            state[name] = true;
        } else {
            put_event(f, cal.id, name, name, day0 + i * hour, day0 + (i + 1) * hour);
            state[name] = false;
        }
    };
    for (int i = 0; i < 40; ++i) write(i);
    std::int64_t since = 0;
    std::map<std::string, bool> seen;
    std::int64_t last_revision = 0;
    for (int page = 0; page < 100; ++page) {
        auto set = f.store().changes_since(cal.id, since, 3);
        BOOST_TEST_REQUIRE(set.has_value());
        BOOST_TEST_REQUIRE(set->changes.size() <= 3u);
        if (set->changes.empty()) break;
        for (const auto& c : set->changes) {
            BOOST_TEST(c.revision > last_revision);  // oldest first, never twice
            last_revision = c.revision;
            seen[c.name] = c.deleted;
        }
        since = set->changes.back().revision;
        if (page < 6) write(40 + page);  // writes land between the pages
    }
    BOOST_TEST(since == revision_of(f, alice, "work"));
    BOOST_TEST(seen == state);
}

void changes_since_refuses_tokens_outside_the_log(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST(f.store().changes_since(cal.id, c->sync_floor, 100).has_value());
    BOOST_TEST(!f.store().changes_since(cal.id, c->sync_floor - 1, 100));  // older than the floor
    BOOST_TEST(!f.store().changes_since(cal.id, c->revision + 1, 100));    // from the future
    BOOST_TEST_REQUIRE((f.store().delete_collection(cal.id) == StoreStatus::ok));
    BOOST_TEST(!f.store().changes_since(cal.id, 0, 100));  // the collection is gone
    BOOST_TEST(!f.store().current_members(cal.id, 100));
}

// An initial sync is answered as a listing: the members there are now, in
// name order, with the revision of the same snapshot; none when they do not
// fit in the limit, so that the caller pages the change log instead.
void current_members_list_what_exists_with_the_snapshot_revision(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "c.ics", "c");
    put_event(f, cal.id, "a.ics", "a");
    put_event(f, cal.id, "b.ics", "b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    put_event(f, cal.id, "a.ics", "a", day0, day0 + hour);
    auto now = revision_of(f, alice, "work");
    auto members = f.store().current_members(cal.id, 3);
    BOOST_TEST_REQUIRE(members.has_value());
    BOOST_TEST(members->revision == now);
    BOOST_TEST_REQUIRE(members->changes.size() == 2u);  // b.ics is gone
    BOOST_TEST(members->changes[0].name == "a.ics");
    BOOST_TEST(members->changes[1].name == "c.ics");
    BOOST_TEST(!members->changes[0].deleted);
    BOOST_TEST_REQUIRE(members->changes[0].object.has_value());
    BOOST_TEST(members->changes[0].object->etag ==
               f.store().find_object(cal.id, "a.ics", false)->etag);
    BOOST_TEST(members->changes[0].revision == now);  // its latest change
    BOOST_TEST(members->changes[0].object->text().empty());
    BOOST_TEST(
        !f.store().current_members(cal.id, 2));  // two members do not fit under a limit of two
}

void home_changes_follow_collections_their_properties_and_members(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto h0 = f.store().find_home(alice);
    BOOST_TEST_REQUIRE(h0.has_value());
    BOOST_TEST(!f.store().find_home(alice + 1000));
    auto work = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    auto home_revision = [&] { return f.store().find_home(alice)->revision; };
    auto h1 = home_revision();
    BOOST_TEST(h1 > h0->revision);
    // A member write, a displayname change and a dead property each move the home.
    put_event(f, work.id, "a.ics", "a");
    auto h2 = home_revision();
    BOOST_TEST(h2 > h1);
    caldav::PropertyPatch named;
    named.display_name = "Other";
    BOOST_TEST((f.store().patch_properties(other.id, "", named) == StoreStatus::ok));
    auto h3 = home_revision();
    BOOST_TEST(h3 > h2);
    caldav::PropertyPatch coloured;
    coloured.set.push_back(colour("#FF0000"));
    BOOST_TEST((f.store().patch_properties(other.id, "", coloured) == StoreStatus::ok));
    auto h4 = home_revision();
    BOOST_TEST(h4 > h3);
    // A member's dead property is no change of the home.
    BOOST_TEST((f.store().patch_properties(work.id, "a.ics", coloured) == StoreStatus::ok));
    BOOST_TEST(home_revision() == h4);
    auto since_h2 = f.store().home_changes_since(alice, h2, 100);
    BOOST_TEST_REQUIRE(since_h2.has_value());
    BOOST_TEST_REQUIRE(since_h2->changes.size() ==
                       1u);  // one row per collection: its latest change
    BOOST_TEST(since_h2->changes[0].name == "other");
    BOOST_TEST_REQUIRE(since_h2->changes[0].collection.has_value());
    BOOST_TEST(since_h2->changes[0].collection->display_name == "Other");
    BOOST_TEST(since_h2->revision == h4);
    BOOST_TEST((f.store().delete_collection(work.id) == StoreStatus::ok));
    auto after_delete = f.store().home_changes_since(alice, h4, 100);
    BOOST_TEST_REQUIRE(after_delete.has_value());
    BOOST_TEST_REQUIRE(after_delete->changes.size() == 1u);
    BOOST_TEST(after_delete->changes[0].name == "work");
    BOOST_TEST(after_delete->changes[0].deleted);
    BOOST_TEST(!after_delete->changes[0].collection);
    BOOST_TEST(f.store().home_changes_since(alice, h1, 1)->changes.size() == 1u);
    auto h5 = f.store().find_home(alice);
    BOOST_TEST(
        !f.store().home_changes_since(alice, h5->revision + 1, 100));  // a token from the future
    BOOST_TEST(!f.store().home_changes_since(alice, h5->sync_floor - 1, 100));
    BOOST_TEST(!f.store().home_changes_since(alice + 1000, 0, 100));
}

constexpr Case cases[] = {
    {"the_revision_grows_by_exactly_one_per_member_change",
     the_revision_grows_by_exactly_one_per_member_change},
    {"changes_since_lists_each_member_once_with_its_latest_change",
     changes_since_lists_each_member_once_with_its_latest_change},
    {"changes_since_pages_without_skipping_or_repeating_a_change",
     changes_since_pages_without_skipping_or_repeating_a_change},
    {"changes_since_refuses_tokens_outside_the_log", changes_since_refuses_tokens_outside_the_log},
    {"current_members_list_what_exists_with_the_snapshot_revision",
     current_members_list_what_exists_with_the_snapshot_revision},
    {"home_changes_follow_collections_their_properties_and_members",
     home_changes_follow_collections_their_properties_and_members},
};

}  // namespace

std::span<const Case> sync_cases() { return cases; }

}  // namespace contract

// Contract cases (store_contract.hpp) for calendar object resources:
// conditional writes, UIDs, Schedule-Tags, COPY and MOVE, quota (RFC 4791
// §5.3, RFC 6638 §3.2, RFC 4918 §9.8-9.9, RFC 4331).
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

// ---------------------------------------------------------------- objects

void put_creates_then_replaces_and_reads_return_what_was_stored(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto v1 = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    auto first = put(f, v1);
    BOOST_TEST(first.created);
    BOOST_TEST(!first.etag.empty());
    auto v2 = calendar_object(
        cal.id, "a.ics", event("uid-a", day0 + 11 * hour, day0 + 12 * hour, "SUMMARY:moved\r\n"));
    auto second = put(f, v2);
    BOOST_TEST(!second.created);
    auto got = f.store().find_object(cal.id, "a.ics", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == v2.data);
    BOOST_TEST(got->etag == second.etag);
    BOOST_TEST(got->uid == "uid-a");
    BOOST_TEST(got->component == "VEVENT");
    BOOST_TEST(got->size == static_cast<std::int64_t>(v2.data.size()));
    BOOST_TEST(got->collection_id == cal.id);
    BOOST_TEST((got->first_start == v2.first_start));
    BOOST_TEST((got->last_end == v2.last_end));
    BOOST_TEST(got->content_type.empty());
    auto meta = f.store().find_object(cal.id, "a.ics", false);
    BOOST_TEST_REQUIRE(meta.has_value());
    BOOST_TEST(meta->text().empty());  // metadata only when no data is asked for
    BOOST_TEST(meta->etag == second.etag);
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
}

void a_plain_resource_keeps_its_bytes_and_media_type(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto files = make_collection(f, alice, "files", CollectionKind::plain);
    BOOST_TEST(put(f, plain_resource(files.id, "note.txt", "hello")).created);
    // Resources carry no UID of their own: two never conflict.
    BOOST_TEST(put(f, plain_resource(files.id, "copy.txt", "hello")).created);
    auto got = f.store().find_object(files.id, "note.txt", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == "hello");
    BOOST_TEST(got->content_type == "text/plain");
}

void every_change_gives_a_new_etag_and_reads_leave_it_alone(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    std::set<std::string> etags;
    for (int i = 0; i < 5; ++i)
        etags.insert(put_event(f, cal.id, "a.ics", "uid-a", day0 + 9 * hour, day0 + 10 * hour,
                               "SUMMARY:version " + std::to_string(i) + "\r\n"));
    BOOST_TEST(etags.size() == 5u);
    // Deleted and created again, with data it had before: a new version all the same.
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    etags.insert(put_event(f, cal.id, "a.ics", "uid-a", day0 + 9 * hour, day0 + 10 * hour,
                           "SUMMARY:version 4\r\n"));
    BOOST_TEST(etags.size() == 6u);
    auto now = f.store().find_object(cal.id, "a.ics", false)->etag;
    f.store().list_objects(cal.id, true);
    f.store().list_objects_page(cal.id, "", 10, true);
    f.store().list_objects_in_range(cal.id, std::nullopt, std::nullopt, true);
    f.store().visit_objects_named(cal.id, {"a.ics"}, true, [](caldav::ObjectRecord&) {});
    f.store().changes_since(cal.id, 0, 100);
    f.store().find_object_by_uid(alice, "uid-a");
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->etag == now);
}

void if_match_must_name_the_current_etag(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    auto o =
        calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:changed\r\n"));
    o.if_match = "not-" + etag;
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false)->etag == etag);  // untouched
    o.if_match = etag;
    auto r = f.store().put_object(o);
    BOOST_TEST((r.status == StoreStatus::ok));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->text() == o.data);
    // The old ETag no longer matches; nor does any on a missing object.
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    auto missing = calendar_object(cal.id, "b.ics", event("uid-b", day0, day0 + hour));
    missing.if_match = r.etag;
    BOOST_TEST((f.store().put_object(missing).status == StoreStatus::etag_mismatch));
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
}

void if_none_match_creates_but_never_replaces(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour));
    o.if_none_match = true;
    auto created = f.store().put_object(o);
    BOOST_TEST((created.status == StoreStatus::ok));
    BOOST_TEST(created.created);
    auto again =
        calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:again\r\n"));
    again.if_none_match = true;
    auto refused = f.store().put_object(again);
    BOOST_TEST((refused.status != StoreStatus::ok));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false)->etag == created.etag);
}

// PutObject::if_none_match fails with `exists` when the name is taken (found
// by this suite: SQLite answered etag_mismatch, against its documentation).
void if_none_match_on_an_existing_name_is_exists(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    auto again =
        calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:again\r\n"));
    again.if_none_match = true;
    BOOST_TEST((f.store().put_object(again).status == StoreStatus::exists));
}

void schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write(Fixture& f) {
    using caldav::ScheduleTagChange;
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "s.ics", event("uid-s", day0, day0 + hour));
    // If-Schedule-Tag-Match on a missing object fails (RFC 6638 §8.3).
    o.if_schedule_tag_match = "any";
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    o.if_schedule_tag_match.reset();
    o.schedule_tag = ScheduleTagChange::renew;
    auto first = put(f, o);
    BOOST_TEST(!first.schedule_tag.empty());
    BOOST_TEST(f.store().find_object(cal.id, "s.ics", false)->schedule_tag == first.schedule_tag);
    // A reply merged by the server: a new ETag, the same tag.
    o.data = event("uid-s", day0, day0 + hour, "SUMMARY:reply merged\r\n");
    o.schedule_tag = ScheduleTagChange::keep;
    o.if_schedule_tag_match = first.schedule_tag;
    auto merged = put(f, o);
    BOOST_TEST(merged.etag != first.etag);
    BOOST_TEST(merged.schedule_tag == first.schedule_tag);
    // The owner's change: a new tag; the old one no longer matches.
    o.schedule_tag = ScheduleTagChange::renew;
    auto changed = put(f, o);
    BOOST_TEST(changed.schedule_tag != first.schedule_tag);
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST((f.store().delete_object(cal.id, "s.ics", std::nullopt, first.schedule_tag) ==
                StoreStatus::etag_mismatch));
    // A copy keeps the tag.
    auto other = make_collection(f, alice, "other");
    auto copy = f.store().copy_object(cal.id, "s.ics", other.id, "copy.ics", false, false);
    BOOST_TEST((copy.status == StoreStatus::ok));
    BOOST_TEST(copy.schedule_tag == changed.schedule_tag);
    BOOST_TEST(f.store().find_object(other.id, "copy.ics", false)->schedule_tag ==
               changed.schedule_tag);
    // No longer a scheduling object: no tag, so none matches.
    o.if_schedule_tag_match.reset();
    o.schedule_tag = ScheduleTagChange::clear;
    BOOST_TEST(put(f, o).schedule_tag.empty());
    BOOST_TEST(f.store().find_object(cal.id, "s.ics", false)->schedule_tag.empty());
    BOOST_TEST((f.store().delete_object(cal.id, "s.ics", std::nullopt, changed.schedule_tag) ==
                StoreStatus::etag_mismatch));
    BOOST_TEST((f.store().delete_object(other.id, "copy.ics", std::nullopt, changed.schedule_tag) ==
                StoreStatus::ok));
}

void a_uid_may_be_used_once_per_collection(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "home");
    put_event(f, cal.id, "a.ics", "same");
    auto clash =
        f.store().put_object(calendar_object(cal.id, "b.ics", event("same", day0, day0 + hour)));
    BOOST_TEST((clash.status == StoreStatus::uid_conflict));
    BOOST_TEST(clash.conflicting_name == "a.ics");
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
    put_event(f, other.id, "b.ics", "same");  // another collection may hold it
}

// Issue 22 item 13 (RFC 4791 §5.3.2.1): the UID of a calendar object resource
// cannot change, by PUT or by COPY/MOVE with Overwrite: T; the check runs in
// the write transaction and leaves the resource as it was.
void a_resource_keeps_its_uid_when_replaced(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    auto changed = f.store().put_object(
        calendar_object(cal.id, "a.ics", event("uid-other", day0, day0 + hour)));
    BOOST_TEST((changed.status == StoreStatus::uid_conflict));
    BOOST_TEST(changed.conflicting_name == "a.ics");
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->uid == "uid-a");
    put_event(f, cal.id, "a.ics", "uid-a", day0, day0 + hour, "SUMMARY:same uid\r\n");
    put_event(f, cal.id, "b.ics", "uid-b");
    for (bool move : {false, true}) {
        auto over = f.store().copy_object(cal.id, "b.ics", cal.id, "a.ics", true, move);
        BOOST_TEST((over.status == StoreStatus::uid_conflict));
        BOOST_TEST(over.conflicting_name == "a.ics");
    }
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->uid == "uid-a");
    BOOST_TEST(f.store().find_object(cal.id, "b.ics", true).has_value());
}

void a_put_into_a_missing_collection_is_not_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto gone = make_collection(f, alice, "gone");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    auto r =
        f.store().put_object(calendar_object(gone.id, "a.ics", event("uid-a", day0, day0 + hour)));
    BOOST_TEST((r.status == StoreStatus::not_found));
    BOOST_TEST(f.store().list_objects(gone.id, false).empty());
    BOOST_TEST(f.store().used_bytes(alice) == 0);
}

void delete_object_checks_its_conditions(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::not_found));
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST(
        (f.store().delete_object(cal.id, "a.ics", "not-" + etag) == StoreStatus::etag_mismatch));
    // No Schedule-Tag on the object: none can match.
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", etag, std::string("tag")) ==
                StoreStatus::etag_mismatch));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", etag) == StoreStatus::ok));
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::not_found));
    put_event(f, cal.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal.id, false).empty());
    // Its UID is free again.
    put_event(f, cal.id, "c.ics", "uid-b");
}

void members_are_listed_paged_and_visited_by_name(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    for (auto name : {"d", "b", "a", "c", "e"})
        put_event(f, cal.id, std::string(name) + ".ics", name);
    strings all;
    for (const auto& o : f.store().list_objects(cal.id, true)) {
        all.push_back(o.name);
        BOOST_TEST(o.text().find("UID:" + o.uid) != std::string_view::npos);
    }
    BOOST_TEST(all == (strings{"a.ics", "b.ics", "c.ics", "d.ics", "e.ics"}),
               boost::test_tools::per_element());
    strings paged;
    std::string after;
    for (;;) {
        auto page = f.store().list_objects_page(cal.id, after, 2, false);
        BOOST_TEST_REQUIRE(page.size() <= 2u);
        if (page.empty()) break;
        for (const auto& o : page) paged.push_back(o.name);
        after = page.back().name;
    }
    BOOST_TEST(paged == all, boost::test_tools::per_element());
    strings named;
    f.store().visit_objects_named(cal.id, {"e.ics", "missing.ics", "a.ics"}, true,
                                  [&](caldav::ObjectRecord& o) {
                                      named.push_back(o.name);
                                      BOOST_TEST(!o.text().empty());
                                  });
    BOOST_TEST(named == (strings{"e.ics", "a.ics"}), boost::test_tools::per_element());
}

// ------------------------------------------- COPY and MOVE (RFC 4918 §9.8-9.9)

void copy_object_copies_data_and_properties_and_leaves_the_source(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    auto copy = f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", false, false);
    BOOST_TEST((copy.status == StoreStatus::ok));
    BOOST_TEST(copy.created);
    auto got = f.store().find_object(other.id, "b.ics", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == f.store().find_object(cal.id, "a.ics", true)->text());
    BOOST_TEST(got->uid == "uid-a");
    BOOST_TEST(got->etag == copy.etag);
    BOOST_TEST(
        names_of(f.store().dead_properties(other.id, "b.ics")) == (strings{"calendar-color"}),
        boost::test_tools::per_element());
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
    // The copy is found by time like the original.
    BOOST_TEST(names_in_range(f, other.id, day0 + 9 * hour, day0 + 10 * hour).count("b.ics") == 1u);
    // A taken destination: refused without Overwrite, replaced with it.
    BOOST_TEST((f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", false, false).status ==
                StoreStatus::exists));
    auto over = f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", true, false);
    BOOST_TEST((over.status == StoreStatus::ok));
    BOOST_TEST(!over.created);
    BOOST_TEST(over.etag != copy.etag);
    BOOST_TEST(
        (f.store().copy_object(cal.id, "missing.ics", other.id, "c.ics", false, false).status ==
         StoreStatus::not_found));
}

void move_removes_the_source_and_logs_both_collections(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    auto from_rev = revision_of(f, alice, "work");
    auto to_rev = revision_of(f, alice, "other");
    auto moved = f.store().copy_object(cal.id, "a.ics", other.id, "a.ics", false, true);
    BOOST_TEST((moved.status == StoreStatus::ok));
    BOOST_TEST(moved.created);
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    BOOST_TEST(f.store().find_object(other.id, "a.ics", false).has_value());
    BOOST_TEST(f.store().dead_properties(other.id, "a.ics").size() == 1u);
    auto gone = f.store().changes_since(cal.id, from_rev, 100);
    BOOST_TEST_REQUIRE(gone.has_value());
    BOOST_TEST_REQUIRE(gone->changes.size() == 1u);
    BOOST_TEST(gone->changes[0].deleted);
    auto arrived = f.store().changes_since(other.id, to_rev, 100);
    BOOST_TEST_REQUIRE(arrived.has_value());
    BOOST_TEST_REQUIRE(arrived->changes.size() == 1u);
    BOOST_TEST(!arrived->changes[0].deleted);
    // A rename within the collection keeps the UID, which is no conflict with itself.
    auto renamed = f.store().copy_object(other.id, "a.ics", other.id, "renamed.ics", false, true);
    BOOST_TEST((renamed.status == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(other.id, false).size() == 1u);
}

void copy_checks_uid_uniqueness_at_the_destination(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    put_event(f, other.id, "holder.ics", "uid-a");
    for (bool move : {false, true}) {
        auto r = f.store().copy_object(cal.id, "a.ics", other.id, "new.ics", false, move);
        BOOST_TEST((r.status == StoreStatus::uid_conflict));
        BOOST_TEST(r.conflicting_name == "holder.ics");
    }
    BOOST_TEST(
        f.store().find_object(cal.id, "a.ics", false).has_value());  // a refused move moves nothing
    BOOST_TEST(!f.store().find_object(other.id, "new.ics", false));
    // A copy beside its source in one collection would hold its UID twice.
    auto beside = f.store().copy_object(cal.id, "a.ics", cal.id, "twin.ics", false, false);
    BOOST_TEST((beside.status == StoreStatus::uid_conflict));
    BOOST_TEST(beside.conflicting_name == "a.ics");
}

// StoreStatus::not_found is "the resource (or its parent) does not exist":
// a copy into a collection deleted meanwhile (a race the protocol layer
// cannot exclude by looking first) must say so, as put_object does, and
// leave the source (found by this suite: SQLite threw "FOREIGN KEY
// constraint failed", a 500).
void a_copy_into_a_missing_collection_is_not_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto gone = make_collection(f, alice, "gone");
    put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    for (bool move : {false, true}) {
        std::optional<StoreStatus> status;
        try {
            status = f.store().copy_object(cal.id, "a.ics", gone.id, "a.ics", false, move).status;
        } catch (const std::exception& e) {
            BOOST_TEST_MESSAGE("copy_object threw: " << e.what());
        }
        BOOST_TEST((status == std::optional<StoreStatus>(StoreStatus::not_found)), "move " << move);
    }
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
}

// ------------------------------------------------------ quota (RFC 4331)

void used_bytes_follow_every_write(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto files = make_collection(f, alice, "files", CollectionKind::plain);
    BOOST_TEST(f.store().used_bytes(alice) == 0);
    put(f, plain_resource(files.id, "a.txt", std::string(100, 'x')));
    put(f, plain_resource(files.id, "b.txt", std::string(50, 'x')));
    BOOST_TEST(f.store().used_bytes(alice) == 150);
    put(f, plain_resource(files.id, "a.txt", std::string(10, 'x')));
    BOOST_TEST(f.store().used_bytes(alice) == 60);
    BOOST_TEST((f.store().delete_object(files.id, "b.txt", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 10);
    auto other = make_collection(f, alice, "other", CollectionKind::plain);
    BOOST_TEST((f.store().copy_object(files.id, "a.txt", other.id, "a.txt", true, false).status ==
                StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 20);
    BOOST_TEST((f.store().delete_collection(files.id) == StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 10);
    // Calendar data counts the same way; another user's does not.
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "e.ics", event("uid-e", day0, day0 + hour));
    put(f, o);
    BOOST_TEST(f.store().used_bytes(alice) == static_cast<std::int64_t>(10 + o.data.size()));
    auto bobs = make_collection(f, bob, "work");
    put_event(f, bobs.id, "e.ics", "uid-e");
    BOOST_TEST(f.store().used_bytes(alice) == static_cast<std::int64_t>(10 + o.data.size()));
}

constexpr Case cases[] = {
    {"put_creates_then_replaces_and_reads_return_what_was_stored",
     put_creates_then_replaces_and_reads_return_what_was_stored},
    {"a_plain_resource_keeps_its_bytes_and_media_type",
     a_plain_resource_keeps_its_bytes_and_media_type},
    {"every_change_gives_a_new_etag_and_reads_leave_it_alone",
     every_change_gives_a_new_etag_and_reads_leave_it_alone},
    {"if_match_must_name_the_current_etag", if_match_must_name_the_current_etag},
    {"if_none_match_creates_but_never_replaces", if_none_match_creates_but_never_replaces},
    {"if_none_match_on_an_existing_name_is_exists", if_none_match_on_an_existing_name_is_exists},
    {"schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write",
     schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write},
    {"a_uid_may_be_used_once_per_collection", a_uid_may_be_used_once_per_collection},
    {"a_resource_keeps_its_uid_when_replaced", a_resource_keeps_its_uid_when_replaced},
    {"a_put_into_a_missing_collection_is_not_found", a_put_into_a_missing_collection_is_not_found},
    {"delete_object_checks_its_conditions", delete_object_checks_its_conditions},
    {"members_are_listed_paged_and_visited_by_name", members_are_listed_paged_and_visited_by_name},
    {"copy_object_copies_data_and_properties_and_leaves_the_source",
     copy_object_copies_data_and_properties_and_leaves_the_source},
    {"move_removes_the_source_and_logs_both_collections",
     move_removes_the_source_and_logs_both_collections},
    {"copy_checks_uid_uniqueness_at_the_destination",
     copy_checks_uid_uniqueness_at_the_destination},
    {"a_copy_into_a_missing_collection_is_not_found", a_copy_into_a_missing_collection_is_not_found},
    {"used_bytes_follow_every_write", used_bytes_follow_every_write},
};

}  // namespace

std::span<const Case> objects_cases() { return cases; }

}  // namespace contract

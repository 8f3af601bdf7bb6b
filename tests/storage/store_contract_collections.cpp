// Contract cases (store_contract.hpp) for principals, homes, collections and
// their properties (RFC 4918 §9.2, RFC 4791 §5.2, RFC 6638 §2.2).
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

// ------------------------------------------------------------- principals

void principals_are_found_by_name_and_by_email_in_any_case(Fixture& f) {
    auto alice = f.add_user("alice", "Alice@Example.com");
    f.add_user("bob", "");
    f.add_user("carol", "carol@example.com");
    auto found = f.store().find_principal("alice");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == alice);
    BOOST_TEST(found->kind == "user");
    BOOST_TEST(found->email == "Alice@Example.com");
    BOOST_TEST(!f.store().find_principal("Alice"));  // a URL segment: exact
    BOOST_TEST(!f.store().find_principal("nobody"));
    auto by_email = f.store().find_principal_by_email("aLiCe@example.COM");
    BOOST_TEST_REQUIRE(by_email.has_value());
    BOOST_TEST(by_email->id == alice);
    BOOST_TEST(!f.store().find_principal_by_email(""));  // bob has no address to match
    BOOST_TEST(!f.store().find_principal_by_email("nobody@example.com"));
}

void principals_are_listed_by_name_in_pages(Fixture& f) {
    for (auto name : {"dave", "alice", "carol", "bob"})
        f.add_user(name, std::string(name) + "@example.com");
    auto names = [](const std::vector<caldav::PrincipalRecord>& list) {
        strings out;
        for (const auto& p : list) out.push_back(p.name);
        return out;
    };
    BOOST_TEST(
        names(f.store().list_principals("", 10)) == (strings{"alice", "bob", "carol", "dave"}),
        boost::test_tools::per_element());
    BOOST_TEST(names(f.store().list_principals("", 2)) == (strings{"alice", "bob"}),
               boost::test_tools::per_element());
    BOOST_TEST(names(f.store().list_principals("bob", 2)) == (strings{"carol", "dave"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.store().list_principals("dave", 2).empty());
}

// ------------------------------------------------------------------ homes

void provisioning_creates_calendar_inbox_outbox_once(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    f.store().provision_home(alice);
    auto first = f.store().list_collections(alice);
    auto home = f.store().find_home(alice);
    f.store().provision_home(alice);
    auto colls = f.store().list_collections(alice);
    BOOST_TEST_REQUIRE(colls.size() == 3u);
    BOOST_TEST(colls[0].name == "calendar");
    BOOST_TEST((colls[0].kind == CollectionKind::calendar));
    BOOST_TEST(colls[1].name == "inbox");
    BOOST_TEST((colls[1].kind == CollectionKind::inbox));
    BOOST_TEST(colls[2].name == "outbox");
    BOOST_TEST((colls[2].kind == CollectionKind::outbox));
    for (std::size_t i = 0; i < colls.size(); ++i) BOOST_TEST(colls[i].id == first[i].id);
    // The second call changed nothing a client could see.
    BOOST_TEST_REQUIRE(home.has_value());
    BOOST_TEST(f.store().find_home(alice)->revision == home->revision);
}

// ------------------------------------------------------------ collections

void collection_names_are_unique_per_owner(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    CollectionRecord c;
    c.owner_id = alice;
    c.name = "work";
    c.display_name = "Work";
    c.description = "Meetings";
    c.components = "VEVENT,VTODO";
    BOOST_TEST_REQUIRE((f.store().create_collection(c) == StoreStatus::ok));
    BOOST_TEST(c.id != 0);
    BOOST_TEST(c.created_at > 0);
    CollectionRecord dup;
    dup.owner_id = alice;
    dup.name = "work";
    BOOST_TEST((f.store().create_collection(dup) == StoreStatus::exists));
    make_collection(f, bob, "work");  // another home, another namespace
    auto found = f.store().find_collection(alice, "work");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == c.id);
    BOOST_TEST(found->owner_id == alice);
    BOOST_TEST((found->kind == CollectionKind::calendar));
    BOOST_TEST(found->display_name == "Work");
    BOOST_TEST(found->description == "Meetings");
    BOOST_TEST(found->components == "VEVENT,VTODO");
    BOOST_TEST(found->revision == 0);
    BOOST_TEST(!f.store().find_collection(alice, "home"));
    BOOST_TEST(f.store().list_collections(alice).size() == 1u);
}

void collections_are_listed_by_name(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    for (auto name : {"work", "family", "sport"}) make_collection(f, alice, name);
    make_collection(f, alice, "files", CollectionKind::plain);
    strings names;
    for (const auto& c : f.store().list_collections(alice)) names.push_back(c.name);
    BOOST_TEST(names == (strings{"family", "files", "sport", "work"}),
               boost::test_tools::per_element());
}

void a_collection_is_created_with_its_dead_properties(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    CollectionRecord c;
    c.owner_id = alice;
    c.name = "work";
    BOOST_TEST_REQUIRE(
        (f.store().create_collection(c, {colour("#FF0000"), order("2")}) == StoreStatus::ok));
    auto props = f.store().dead_properties(c.id, "");
    BOOST_TEST(names_of(props) == (strings{"calendar-color", "calendar-order"}),
               boost::test_tools::per_element());
    // A name already taken sets nothing on the collection that holds it.
    CollectionRecord dup = c;
    BOOST_TEST((f.store().create_collection(dup, {colour("#00FF00")}) == StoreStatus::exists));
    for (const auto& p : f.store().dead_properties(c.id, ""))
        if (p.name == "calendar-color") BOOST_TEST(p.xml == colour("#FF0000").xml);
}

// ------------------------------------------------- properties (RFC 4918 §9.2)

void a_property_patch_sets_and_removes_in_one_write(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    caldav::PropertyPatch first;
    first.display_name = "Work";
    first.description = "Meetings";
    first.timezone = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    first.set = {colour("#FF0000"), order("1")};
    BOOST_TEST((f.store().patch_properties(cal.id, "", first) == StoreStatus::ok));
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST(c->display_name == "Work");
    BOOST_TEST(c->description == "Meetings");
    BOOST_TEST(c->timezone == *first.timezone);
    BOOST_TEST(names_of(f.store().dead_properties(cal.id, "")) ==
                   (strings{"calendar-color", "calendar-order"}),
               boost::test_tools::per_element());
    caldav::PropertyPatch second;
    second.set = {colour("#00FF00")};
    second.remove = {{order("").ns, "calendar-order"}};
    BOOST_TEST((f.store().patch_properties(cal.id, "", second) == StoreStatus::ok));
    auto props = f.store().dead_properties(cal.id, "");
    BOOST_TEST_REQUIRE(props.size() == 1u);
    BOOST_TEST(props[0].xml == colour("#00FF00").xml);
    BOOST_TEST(props[0].ns == "http://apple.com/ns/ical/");
    BOOST_TEST(f.store().find_collection(alice, "work")->display_name == "Work");  // left alone
    // A member's properties are its own.
    put_event(f, cal.id, "a.ics", "a");
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", first) == StoreStatus::ok));
    BOOST_TEST(f.store().dead_properties(cal.id, "a.ics").size() == 2u);
    BOOST_TEST(f.store().dead_properties(cal.id, "").size() == 1u);
}

void a_patch_of_a_missing_target_is_not_found_and_sets_nothing(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "later.ics", patch) == StoreStatus::not_found));
    put_event(f, cal.id, "later.ics", "later");
    BOOST_TEST(f.store().dead_properties(cal.id, "later.ics").empty());
    auto gone = make_collection(f, alice, "gone");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    BOOST_TEST((f.store().patch_properties(gone.id, "", patch) == StoreStatus::not_found));
    BOOST_TEST(f.store().dead_properties(gone.id, "").empty());
}

void a_deleted_member_takes_its_properties_along(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    put_event(f, cal.id, "a.ics", "a");
    BOOST_TEST(f.store().dead_properties(cal.id, "a.ics").empty());
}

// ------------------------------------------------------------ collections

void deleting_a_collection_deletes_members_and_nested_plain_collections(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto top = make_collection(f, alice, "files", CollectionKind::plain);
    auto sub = make_collection(f, alice, "files/sub", CollectionKind::plain);
    auto sibling = make_collection(f, alice, "files-old", CollectionKind::plain);
    put(f, plain_resource(top.id, "top.txt", "top"));
    put(f, plain_resource(sub.id, "note.txt", "hello"));
    put(f, plain_resource(sibling.id, "keep.txt", "keep"));
    BOOST_TEST((f.store().delete_collection(top.id) == StoreStatus::ok));
    BOOST_TEST(!f.store().find_collection(alice, "files"));
    BOOST_TEST(!f.store().find_collection(alice, "files/sub"));
    BOOST_TEST(!f.store().find_object(sub.id, "note.txt", false));
    BOOST_TEST(f.store().find_collection(alice, "files-old").has_value());
    BOOST_TEST(f.store().find_object(sibling.id, "keep.txt", false).has_value());
    BOOST_TEST(f.store().used_bytes(alice) == 4);
    BOOST_TEST((f.store().delete_collection(top.id) == StoreStatus::not_found));
    // A calendar goes with its members, and its name can be used again.
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST((f.store().delete_collection(cal.id) == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal.id, false).empty());
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-a"));
    auto again = make_collection(f, alice, "work");
    BOOST_TEST(f.store().list_objects(again.id, false).empty());
}

void copying_a_collection_copies_its_subtree_and_logs_each_member(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    make_collection(f, alice, "src", CollectionKind::plain);
    auto inner = make_collection(f, alice, "src/inner", CollectionKind::plain);
    put(f, plain_resource(inner.id, "note.txt", "hello"));
    auto r = f.store().copy_collection(alice, "src", "dst", true, false, false);
    BOOST_TEST((r.status == StoreStatus::ok));
    BOOST_TEST(r.created);
    auto copied = f.store().find_collection(alice, "dst/inner");
    BOOST_TEST_REQUIRE(copied.has_value());
    auto o = f.store().find_object(copied->id, "note.txt", true);
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(o->text() == "hello");
    BOOST_TEST(o->content_type == "text/plain");
    BOOST_TEST(f.store().changes_since(copied->id, 0, 100)->changes.size() ==
               1u);  // a sync of the copy sees it
    BOOST_TEST(
        f.store().find_collection(alice, "src/inner").has_value());  // a copy leaves the source
    BOOST_TEST((f.store().copy_collection(alice, "src", "dst", true, false, false).status ==
                StoreStatus::exists));
    auto moved = f.store().copy_collection(alice, "src", "dst", false, true,
                                           true);  // Depth 0 over dst, then gone
    BOOST_TEST((moved.status == StoreStatus::ok));
    BOOST_TEST(!moved.created);
    BOOST_TEST(!f.store().find_collection(alice, "dst/inner"));
    BOOST_TEST(!f.store().find_collection(alice, "src"));
    BOOST_TEST(f.store().find_collection(alice, "dst").has_value());
    BOOST_TEST(f.store().used_bytes(alice) == 0);
    BOOST_TEST((f.store().copy_collection(alice, "src", "elsewhere", true, false, false).status ==
                StoreStatus::not_found));
}

void a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    CollectionRecord cal;
    cal.owner_id = alice;
    cal.name = "work";
    cal.display_name = "Work";
    BOOST_TEST_REQUIRE((f.store().create_collection(cal, {colour("#FF0000")}) == StoreStatus::ok));
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    o.schedule_tag = caldav::ScheduleTagChange::renew;
    auto tag = put(f, o).schedule_tag;
    auto r = f.store().copy_collection(alice, "work", "work-copy", true, false, false);
    BOOST_TEST((r.status == StoreStatus::ok));
    auto copy = f.store().find_collection(alice, "work-copy");
    BOOST_TEST_REQUIRE(copy.has_value());
    BOOST_TEST((copy->kind == CollectionKind::calendar));
    BOOST_TEST(copy->display_name == "Work");
    BOOST_TEST(f.store().dead_properties(copy->id, "").size() == 1u);
    auto member = f.store().find_object(copy->id, "a.ics", true);
    BOOST_TEST_REQUIRE(member.has_value());
    BOOST_TEST(member->schedule_tag == tag);
    BOOST_TEST(member->text() == o.data);
    BOOST_TEST(names_in_range(f, copy->id, day0 + 9 * hour + 1800, day0 + 9 * hour + 2400)
                   .count("a.ics") == 1u);
    // The copy is a collection of its own: the same UID in both is fine, and
    // both are found by UID in the owner's calendars.
    BOOST_TEST(f.store().find_object_by_uid(alice, "uid-a").has_value());
}

constexpr Case cases[] = {
    {"principals_are_found_by_name_and_by_email_in_any_case",
     principals_are_found_by_name_and_by_email_in_any_case},
    {"principals_are_listed_by_name_in_pages", principals_are_listed_by_name_in_pages},
    {"provisioning_creates_calendar_inbox_outbox_once",
     provisioning_creates_calendar_inbox_outbox_once},
    {"collection_names_are_unique_per_owner", collection_names_are_unique_per_owner},
    {"collections_are_listed_by_name", collections_are_listed_by_name},
    {"a_collection_is_created_with_its_dead_properties",
     a_collection_is_created_with_its_dead_properties},
    {"a_property_patch_sets_and_removes_in_one_write",
     a_property_patch_sets_and_removes_in_one_write},
    {"a_patch_of_a_missing_target_is_not_found_and_sets_nothing",
     a_patch_of_a_missing_target_is_not_found_and_sets_nothing},
    {"a_deleted_member_takes_its_properties_along", a_deleted_member_takes_its_properties_along},
    {"deleting_a_collection_deletes_members_and_nested_plain_collections",
     deleting_a_collection_deletes_members_and_nested_plain_collections},
    {"copying_a_collection_copies_its_subtree_and_logs_each_member",
     copying_a_collection_copies_its_subtree_and_logs_each_member},
    {"a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index",
     a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index},
};

}  // namespace

std::span<const Case> collections_cases() { return cases; }

}  // namespace contract

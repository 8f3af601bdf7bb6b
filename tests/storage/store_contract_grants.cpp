// Contract cases (store_contract.hpp) for calendar grants (issue 25): one per
// calendar and grantee, changed in place, removed, gone with the calendar,
// and moving the sync state of both homes.
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

using caldav::InviteStatus;
using caldav::SharePermission;

std::vector<std::string> grantee_names(const std::vector<caldav::GrantRecord>& grants) {
    std::vector<std::string> out;
    for (const auto& g : grants) out.push_back(g.grantee.name);
    return out;
}

void a_grant_is_stored_and_read_from_both_sides(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().set_grant(work.id, carol, SharePermission::edit) == StoreStatus::ok));
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    f.reopen();
    auto on = f.store().grants_of_collection(work.id);
    BOOST_TEST(grantee_names(on) == (std::vector<std::string>{"bob", "carol"}), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(on.size() == 2u);
    BOOST_TEST((on[0].permission == SharePermission::view));
    BOOST_TEST((on[1].permission == SharePermission::edit));
    BOOST_TEST(on[0].owner.name == "alice");
    BOOST_TEST(on[0].grantee.email == "bob@example.com");
    BOOST_TEST(on[0].collection_name == "work");
    auto to_bob = f.store().grants_to_principal(bob);
    BOOST_TEST_REQUIRE(to_bob.size() == 1u);
    BOOST_TEST(to_bob[0].collection_id == work.id);
    BOOST_TEST(to_bob[0].owner.id == alice);
    BOOST_TEST(f.store().grants_to_principal(alice).empty());
}

void setting_a_grant_again_changes_its_permission_and_keeps_one_row(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    auto created = f.store().grants_of_collection(work.id).at(0).created_at;
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::admin) == StoreStatus::ok));
    auto on = f.store().grants_of_collection(work.id);
    BOOST_TEST_REQUIRE(on.size() == 1u);
    BOOST_TEST((on[0].permission == SharePermission::admin));
    BOOST_TEST(on[0].created_at == created);
}

void a_grant_is_refused_for_the_owner_a_missing_calendar_or_principal_or_a_non_calendar(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    auto files = make_collection(f, alice, "files", CollectionKind::plain);
    BOOST_TEST((f.store().set_grant(work.id, alice, SharePermission::view) == StoreStatus::exists));
    BOOST_TEST((f.store().set_grant(work.id + 1000, bob, SharePermission::view) == StoreStatus::not_found));
    BOOST_TEST((f.store().set_grant(work.id, bob + 1000, SharePermission::view) == StoreStatus::not_found));
    BOOST_TEST((f.store().set_grant(files.id, bob, SharePermission::view) == StoreStatus::not_found));
    BOOST_TEST(f.store().grants_of_collection(work.id).empty());
    BOOST_TEST(f.store().grants_to_principal(bob).empty());
}

void removing_a_grant_ends_it_and_a_second_removal_finds_none(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    auto work = make_collection(f, alice, "work");
    f.store().set_grant(work.id, bob, SharePermission::view);
    f.store().set_grant(work.id, carol, SharePermission::view);
    BOOST_TEST((f.store().remove_grant(work.id, bob) == StoreStatus::ok));
    f.reopen();
    BOOST_TEST(grantee_names(f.store().grants_of_collection(work.id)) == (std::vector<std::string>{"carol"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.store().grants_to_principal(bob).empty());
    BOOST_TEST((f.store().remove_grant(work.id, bob) == StoreStatus::not_found));
}

void deleting_a_calendar_deletes_its_grants(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    auto home = make_collection(f, alice, "home");
    f.store().set_grant(work.id, bob, SharePermission::edit);
    f.store().set_grant(home.id, bob, SharePermission::free_busy);
    BOOST_TEST((f.store().delete_collection(work.id) == StoreStatus::ok));
    BOOST_TEST(f.store().grants_of_collection(work.id).empty());
    auto left = f.store().grants_to_principal(bob);
    BOOST_TEST_REQUIRE(left.size() == 1u);
    BOOST_TEST(left[0].collection_name == "home");
    // A calendar made again under the name is not shared.
    auto again = make_collection(f, alice, "work");
    BOOST_TEST(f.store().grants_of_collection(again.id).empty());
}

void a_grant_change_moves_both_homes_sync_state_and_logs_the_shared_calendar(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    make_collection(f, alice, "private");
    auto owner_before = f.store().find_home(alice)->revision;
    auto sharee_before = f.store().find_home(bob)->revision;
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    auto owner_shared = f.store().find_home(alice)->revision;
    auto sharee_shared = f.store().find_home(bob)->revision;
    BOOST_TEST(owner_shared > owner_before);
    BOOST_TEST(sharee_shared > sharee_before);
    auto log = f.store().home_changes_since(alice, owner_before, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST_REQUIRE(log->changes.size() == 1u);
    BOOST_TEST(log->changes[0].name == "work");
    BOOST_TEST(!log->changes[0].deleted);
    // The same permission again changes nothing; a revocation moves both again.
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    BOOST_TEST(f.store().find_home(alice)->revision == owner_shared);
    BOOST_TEST((f.store().remove_grant(work.id, bob) == StoreStatus::ok));
    BOOST_TEST(f.store().find_home(alice)->revision > owner_shared);
    BOOST_TEST(f.store().find_home(bob)->revision > sharee_shared);
}

void an_invitation_is_pending_until_answered_and_only_accepted_grants_reach_the_grantee(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().invite_grant(work.id, bob, SharePermission::edit, "Our team", "uid-1") == StoreStatus::ok));
    f.reopen();
    auto on = f.store().grants_of_collection(work.id);
    BOOST_TEST_REQUIRE(on.size() == 1u);
    BOOST_TEST((on[0].status == InviteStatus::pending));
    BOOST_TEST(on[0].invite_uid == "uid-1");
    BOOST_TEST(on[0].summary == "Our team");
    BOOST_TEST(f.store().grants_to_principal(bob).empty());
    BOOST_TEST((f.store().reply_to_invite(work.id, bob, InviteStatus::accepted) == StoreStatus::ok));
    BOOST_TEST_REQUIRE(f.store().grants_to_principal(bob).size() == 1u);
    // Inviting again keeps the answer and the uid, and changes the permission.
    BOOST_TEST((f.store().invite_grant(work.id, bob, SharePermission::view, "", "uid-2") == StoreStatus::ok));
    on = f.store().grants_of_collection(work.id);
    BOOST_TEST((on.at(0).status == InviteStatus::accepted));
    BOOST_TEST(on.at(0).invite_uid == "uid-1");
    BOOST_TEST((on.at(0).permission == SharePermission::view));
    BOOST_TEST((f.store().reply_to_invite(work.id, bob, InviteStatus::declined) == StoreStatus::ok));
    BOOST_TEST(f.store().grants_to_principal(bob).empty());
    // A declined invitation is asked again under the new uid.
    BOOST_TEST((f.store().invite_grant(work.id, bob, SharePermission::view, "", "uid-3") == StoreStatus::ok));
    on = f.store().grants_of_collection(work.id);
    BOOST_TEST((on.at(0).status == InviteStatus::pending));
    BOOST_TEST(on.at(0).invite_uid == "uid-3");
    BOOST_TEST((f.store().invite_grant(work.id, alice, SharePermission::view, "", "uid-4") == StoreStatus::exists));
    BOOST_TEST((f.store().reply_to_invite(work.id, alice, InviteStatus::accepted) == StoreStatus::not_found));
}

void an_administrator_grant_is_accepted_at_once_even_over_an_invitation(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    BOOST_TEST((f.store().grants_of_collection(work.id).at(0).status == InviteStatus::accepted));
    BOOST_TEST((f.store().reply_to_invite(work.id, bob, InviteStatus::declined) == StoreStatus::ok));
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    BOOST_TEST((f.store().grants_of_collection(work.id).at(0).status == InviteStatus::accepted));
}

void a_sharee_keeps_their_own_name_and_colour_until_they_decline(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().set_sharee_properties(work.id, bob, "Mine", "#00FF00") == StoreStatus::not_found));
    f.store().set_grant(work.id, bob, SharePermission::view);
    auto before = f.store().find_home(bob)->revision;
    BOOST_TEST((f.store().set_sharee_properties(work.id, bob, "Alice's work", "#FF0000FF") == StoreStatus::ok));
    BOOST_TEST(f.store().find_home(bob)->revision > before);
    f.reopen();
    auto g = f.store().grants_of_collection(work.id).at(0);
    BOOST_TEST(g.sharee_display_name.value_or("") == "Alice's work");
    BOOST_TEST(g.sharee_color.value_or("") == "#FF0000FF");
    BOOST_TEST((f.store().set_sharee_properties(work.id, bob, std::nullopt, "#0000FF") == StoreStatus::ok));
    g = f.store().grants_of_collection(work.id).at(0);
    BOOST_TEST(!g.sharee_display_name.has_value());
    BOOST_TEST(g.sharee_color.value_or("") == "#0000FF");
    BOOST_TEST((f.store().reply_to_invite(work.id, bob, InviteStatus::declined) == StoreStatus::ok));
    BOOST_TEST(!f.store().grants_of_collection(work.id).at(0).sharee_color.has_value());
}

void notifications_are_stored_replaced_listed_and_removed_per_principal(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    BOOST_TEST((f.store().put_notification({bob, "b.xml", "invite-notification", "<x>1</x>", 100}) == StoreStatus::ok));
    BOOST_TEST((f.store().put_notification({bob, "a.xml", "invite-reply", "<x>2</x>", 200}) == StoreStatus::ok));
    BOOST_TEST((f.store().put_notification({bob, "b.xml", "invite-notification", "<x>3</x>", 300}) == StoreStatus::ok));
    BOOST_TEST((f.store().put_notification({bob + 1000, "c.xml", "t", "<x/>", 1}) == StoreStatus::not_found));
    f.reopen();
    auto notes = f.store().notifications_of(bob);
    BOOST_TEST_REQUIRE(notes.size() == 2u);
    BOOST_TEST(notes[0].name == "a.xml");
    BOOST_TEST(notes[0].type == "invite-reply");
    BOOST_TEST(notes[1].body == "<x>3</x>");
    BOOST_TEST(notes[1].created_at == 300);
    BOOST_TEST(f.store().notifications_of(alice).empty());
    BOOST_TEST((f.store().remove_notification(bob, "a.xml") == StoreStatus::ok));
    BOOST_TEST((f.store().remove_notification(bob, "a.xml") == StoreStatus::not_found));
    BOOST_TEST((f.store().remove_notification(alice, "b.xml") == StoreStatus::not_found));
    BOOST_TEST(f.store().notifications_of(bob).size() == 1u);
}

/// The names `principal`'s home logged as changed after revision `since`.
std::vector<std::string> home_log(Fixture& f, std::int64_t principal, std::int64_t since) {
    std::vector<std::string> out;
    auto log = f.store().home_changes_since(principal, since, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    for (const auto& c : log->changes) out.push_back(c.name);
    return out;
}

bool logs(const std::vector<std::string>& log, const std::string& name) {
    return std::find(log.begin(), log.end(), name) != log.end();
}

// Issue 25 §7: the sharee's home logs a shared calendar under
// "/shared/OWNER/CALENDAR" on every backend, so that their home's
// sync-collection can name it at its owner's URL.
void a_sharees_home_logs_the_shared_calendar_under_its_shared_name(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto work = make_collection(f, alice, "work");
    auto before = f.store().find_home(bob)->revision;
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    BOOST_TEST(home_log(f, bob, before) == (std::vector<std::string>{"/shared/alice/work"}),
               boost::test_tools::per_element());
    // The owner renames it: the grantee's home moves and logs it again.
    auto granted = f.store().find_home(bob)->revision;
    caldav::PropertyPatch rename;
    rename.display_name = "Budget 2025";
    BOOST_TEST((f.store().patch_properties(work.id, {}, rename) == StoreStatus::ok));
    f.store().touch_sharee_homes(work.id);
    BOOST_TEST(f.store().find_home(bob)->revision > granted);
    BOOST_TEST(home_log(f, bob, granted) == (std::vector<std::string>{"/shared/alice/work"}),
               boost::test_tools::per_element());
    // Revoked: logged under the same name (the sync report finds it unreadable).
    auto renamed = f.store().find_home(bob)->revision;
    BOOST_TEST((f.store().remove_grant(work.id, bob) == StoreStatus::ok));
    BOOST_TEST(home_log(f, bob, renamed) == (std::vector<std::string>{"/shared/alice/work"}),
               boost::test_tools::per_element());
}

// Issue 25 §7: a calendar moved to a new name (MOVE) keeps its grants, with
// their status, summary and the sharee's own name; each grantee's home logs
// both the old and the new shared name, so that their sync reports the old
// URL gone and lists the new one. A copy shares nothing.
void a_moved_calendar_keeps_its_grants_and_logs_both_names_in_the_sharees_home(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST((f.store().set_grant(work.id, bob, SharePermission::edit) == StoreStatus::ok));
    BOOST_TEST((f.store().set_sharee_properties(work.id, bob, "Alice's work", "#FF0000") == StoreStatus::ok));
    BOOST_TEST((f.store().invite_grant(work.id, carol, SharePermission::view, "Our team", "uid-1") == StoreStatus::ok));
    auto bob_before = f.store().find_home(bob)->revision;
    auto carol_before = f.store().find_home(carol)->revision;
    auto moved = f.store().copy_collection(alice, "work", "budget", true, false, true);
    BOOST_TEST_REQUIRE((moved.status == StoreStatus::ok));
    BOOST_TEST(!f.store().find_collection(alice, "work").has_value());
    auto budget = f.store().find_collection(alice, "budget");
    BOOST_TEST_REQUIRE(budget.has_value());
    auto on = f.store().grants_of_collection(budget->id);
    BOOST_TEST_REQUIRE(on.size() == 2u);
    BOOST_TEST(on[0].grantee.name == "bob");
    BOOST_TEST(on[0].collection_name == "budget");
    BOOST_TEST((on[0].permission == SharePermission::edit));
    BOOST_TEST((on[0].status == InviteStatus::accepted));
    BOOST_TEST(on[0].sharee_display_name.value_or("") == "Alice's work");
    BOOST_TEST((on[1].status == InviteStatus::pending));
    BOOST_TEST(on[1].invite_uid == "uid-1");
    BOOST_TEST(on[1].summary == "Our team");
    auto to_bob = f.store().grants_to_principal(bob);
    BOOST_TEST_REQUIRE(to_bob.size() == 1u);
    BOOST_TEST(to_bob[0].collection_name == "budget");
    for (auto [who, since] : {std::pair{bob, bob_before}, std::pair{carol, carol_before}}) {
        BOOST_TEST(f.store().find_home(who)->revision > since);
        auto log = home_log(f, who, since);
        BOOST_TEST(logs(log, "/shared/alice/work"));
        BOOST_TEST(logs(log, "/shared/alice/budget"));
    }
    // A copy is a new calendar, shared with nobody.
    auto copied = f.store().copy_collection(alice, "budget", "budget-copy", true, false, false);
    BOOST_TEST_REQUIRE((copied.status == StoreStatus::ok));
    BOOST_TEST(f.store().grants_of_collection(f.store().find_collection(alice, "budget-copy")->id).empty());
    BOOST_TEST(f.store().grants_of_collection(budget->id).size() == 2u);
}

/// The status `action` returns, or nullopt when it throws (an error the
/// store has no StoreStatus for, such as a statement a trigger refused).
std::optional<StoreStatus> outcome_of(const std::function<StoreStatus()>& action) {
    try {
        return action();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

bool succeeded(const std::optional<StoreStatus>& s) { return s && *s == StoreStatus::ok; }

/// Whether `principal`'s home logged `name` after revision `since`, as deleted or not.
bool logs_as(Fixture& f, std::int64_t principal, std::int64_t since, const std::string& name, bool deleted) {
    auto log = f.store().home_changes_since(principal, since, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    return std::any_of(log->changes.begin(), log->changes.end(),
                       [&](const caldav::HomeChange& c) { return c.name == name && c.deleted == deleted; });
}

// Issue 25 §7: an owner's rename of a shared calendar and its logging in
// every grantee's home are one transaction. The fault: carol's home log
// refuses writes (Fixture::refuse_home_log_writes), so the last statement
// of the rename fails, and nothing of it may stay: neither the name nor
// bob's log. The same fault splits the calls made one by one (the Store
// default, which was the sequence of caldav/sharing.cpp before session 24),
// which shows that it strikes between the patch and the homes.
void a_shared_calendars_rename_and_its_sharees_home_logs_commit_together_or_not_at_all(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    auto work = make_collection(f, alice, "work");
    BOOST_TEST_REQUIRE((f.store().set_grant(work.id, bob, SharePermission::view) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((f.store().invite_grant(work.id, carol, SharePermission::edit, "", "uid-1") == StoreStatus::ok));
    auto revision = [&](std::int64_t who) { return f.store().find_home(who)->revision; };

    // As it should go: renamed, and logged in the owner's and both grantees' homes.
    const auto alice_0 = revision(alice), bob_0 = revision(bob), carol_0 = revision(carol);
    caldav::PropertyPatch rename;
    rename.display_name = "Budget 2025";
    BOOST_TEST((f.store().patch_shared_collection_properties(work.id, rename) == StoreStatus::ok));
    BOOST_TEST(f.store().find_collection(alice, "work")->display_name == "Budget 2025");
    BOOST_TEST(logs_as(f, alice, alice_0, "work", false));
    BOOST_TEST(logs_as(f, bob, bob_0, "/shared/alice/work", false));
    BOOST_TEST(logs_as(f, carol, carol_0, "/shared/alice/work", false));
    caldav::PropertyPatch gone_rename;
    gone_rename.display_name = "Nothing";
    BOOST_TEST((f.store().patch_shared_collection_properties(work.id + 1000, gone_rename) == StoreStatus::not_found));

    // One statement fails: nothing changed anywhere.
    f.refuse_home_log_writes(carol);
    const auto alice_1 = revision(alice), bob_1 = revision(bob), carol_1 = revision(carol);
    caldav::PropertyPatch again;
    again.display_name = "Budget 2026";
    BOOST_TEST(!succeeded(outcome_of([&] { return f.store().patch_shared_collection_properties(work.id, again); })));
    f.reopen();
    BOOST_TEST(f.store().find_collection(alice, "work")->display_name == "Budget 2025");
    BOOST_TEST(revision(alice) == alice_1);
    BOOST_TEST(revision(bob) == bob_1);
    BOOST_TEST(revision(carol) == carol_1);

    // The calls one by one under the same fault: renamed, carol's home never told.
    (void)outcome_of([&] { return f.store().caldav::Store::patch_shared_collection_properties(work.id, again); });
    BOOST_TEST(f.store().find_collection(alice, "work")->display_name == "Budget 2026");
    BOOST_TEST(revision(carol) == carol_1);
}

// Issue 25 §7: an owner's deletion of a shared calendar, its grants (each
// logged in the grantee's home) and the grantees' invitations are one
// transaction. With carol's home log refusing writes, the deletion fails
// and leaves the calendar, both grants, carol's invitation and every home
// as they were; the calls one by one (the Store default) under the same
// fault remove bob's grant and leave the calendar standing.
void a_shared_calendars_deletion_with_its_grants_and_invitations_commits_together_or_not_at_all(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto carol = f.add_user("carol", "carol@example.com");
    auto revision = [&](std::int64_t who) { return f.store().find_home(who)->revision; };
    auto note_names = [&](std::int64_t who) {
        std::vector<std::string> out;
        for (const auto& n : f.store().notifications_of(who)) out.push_back(n.name);
        return out;
    };
    auto share = [&](const std::string& name, const std::string& invite_uid) {
        auto c = make_collection(f, alice, name);
        BOOST_TEST_REQUIRE((f.store().set_grant(c.id, bob, SharePermission::edit) == StoreStatus::ok));
        BOOST_TEST_REQUIRE((f.store().invite_grant(c.id, carol, SharePermission::view, "", invite_uid) ==
                            StoreStatus::ok));
        const caldav::NotificationRecord invitation{carol, invite_uid + ".xml", "invite-notification", "<x/>", 0};
        BOOST_TEST_REQUIRE((f.store().put_notification(invitation) == StoreStatus::ok));
        return c;
    };
    auto team = share("team", "uid-team");
    auto work = share("work", "uid-work");
    const caldav::NotificationRecord other{carol, "other.xml", "invite-reply", "<y/>", 0};
    BOOST_TEST_REQUIRE((f.store().put_notification(other) == StoreStatus::ok));

    // As it should go: the calendar, its grants and carol's invitation to it
    // gone, each home logging it.
    const auto alice_0 = revision(alice), bob_0 = revision(bob), carol_0 = revision(carol);
    BOOST_TEST((f.store().delete_collection_with_shares(team.id) == StoreStatus::ok));
    BOOST_TEST(!f.store().find_collection(alice, "team").has_value());
    BOOST_TEST(f.store().grants_of_collection(team.id).empty());
    BOOST_TEST(note_names(carol) == (std::vector<std::string>{"other.xml", "uid-work.xml"}),
               boost::test_tools::per_element());
    BOOST_TEST(logs_as(f, alice, alice_0, "team", true));
    BOOST_TEST(logs_as(f, bob, bob_0, "/shared/alice/team", false));
    BOOST_TEST(logs_as(f, carol, carol_0, "/shared/alice/team", false));
    auto to_bob = f.store().grants_to_principal(bob);
    BOOST_TEST_REQUIRE(to_bob.size() == 1u);
    BOOST_TEST(to_bob[0].collection_name == "work");
    BOOST_TEST((f.store().delete_collection_with_shares(team.id) == StoreStatus::not_found));

    // One statement fails: nothing changed anywhere.
    f.refuse_home_log_writes(carol);
    const auto alice_1 = revision(alice), bob_1 = revision(bob), carol_1 = revision(carol);
    BOOST_TEST(!succeeded(outcome_of([&] { return f.store().delete_collection_with_shares(work.id); })));
    f.reopen();
    BOOST_TEST(f.store().find_collection(alice, "work").has_value());
    BOOST_TEST(grantee_names(f.store().grants_of_collection(work.id)) == (std::vector<std::string>{"bob", "carol"}),
               boost::test_tools::per_element());
    BOOST_TEST(note_names(carol) == (std::vector<std::string>{"other.xml", "uid-work.xml"}),
               boost::test_tools::per_element());
    BOOST_TEST(revision(alice) == alice_1);
    BOOST_TEST(revision(bob) == bob_1);
    BOOST_TEST(revision(carol) == carol_1);

    // The calls one by one under the same fault: bob's grant gone, the calendar standing.
    (void)outcome_of([&] { return f.store().caldav::Store::delete_collection_with_shares(work.id); });
    BOOST_TEST(f.store().find_collection(alice, "work").has_value());
    BOOST_TEST(grantee_names(f.store().grants_of_collection(work.id)) == (std::vector<std::string>{"carol"}),
               boost::test_tools::per_element());
    BOOST_TEST(revision(bob) > bob_1);
}

constexpr Case cases[] = {
    {"a_grant_is_stored_and_read_from_both_sides", a_grant_is_stored_and_read_from_both_sides},
    {"setting_a_grant_again_changes_its_permission_and_keeps_one_row",
     setting_a_grant_again_changes_its_permission_and_keeps_one_row},
    {"a_grant_is_refused_for_the_owner_a_missing_calendar_or_principal_or_a_non_calendar",
     a_grant_is_refused_for_the_owner_a_missing_calendar_or_principal_or_a_non_calendar},
    {"removing_a_grant_ends_it_and_a_second_removal_finds_none",
     removing_a_grant_ends_it_and_a_second_removal_finds_none},
    {"deleting_a_calendar_deletes_its_grants", deleting_a_calendar_deletes_its_grants},
    {"a_grant_change_moves_both_homes_sync_state_and_logs_the_shared_calendar",
     a_grant_change_moves_both_homes_sync_state_and_logs_the_shared_calendar},
    {"an_invitation_is_pending_until_answered_and_only_accepted_grants_reach_the_grantee",
     an_invitation_is_pending_until_answered_and_only_accepted_grants_reach_the_grantee},
    {"an_administrator_grant_is_accepted_at_once_even_over_an_invitation",
     an_administrator_grant_is_accepted_at_once_even_over_an_invitation},
    {"a_sharee_keeps_their_own_name_and_colour_until_they_decline",
     a_sharee_keeps_their_own_name_and_colour_until_they_decline},
    {"notifications_are_stored_replaced_listed_and_removed_per_principal",
     notifications_are_stored_replaced_listed_and_removed_per_principal},
    {"a_sharees_home_logs_the_shared_calendar_under_its_shared_name",
     a_sharees_home_logs_the_shared_calendar_under_its_shared_name},
    {"a_moved_calendar_keeps_its_grants_and_logs_both_names_in_the_sharees_home",
     a_moved_calendar_keeps_its_grants_and_logs_both_names_in_the_sharees_home},
    {"a_shared_calendars_rename_and_its_sharees_home_logs_commit_together_or_not_at_all",
     a_shared_calendars_rename_and_its_sharees_home_logs_commit_together_or_not_at_all},
    {"a_shared_calendars_deletion_with_its_grants_and_invitations_commits_together_or_not_at_all",
     a_shared_calendars_deletion_with_its_grants_and_invitations_commits_together_or_not_at_all},
};

}  // namespace

std::span<const Case> grants_cases() { return cases; }

}  // namespace contract

// `kalends share`, `kalends share list` and `kalends unshare` run as the real
// binary (issue 25 §9): the grants they write are the ones the store reads.
#include <boost/test/unit_test.hpp>

#include "src/storage/sqlite_store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using test_support::run_kalends;
using test_support::TempDir;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// A data directory with users alice (her calendar "calendar" made) and bob.
std::string prepared(TempDir& d) {
    auto data = (d.path() / "data").string();
    for (auto name : {"alice", "bob"})
        BOOST_REQUIRE(*run_kalends({"user", "add", name, "--email", std::string(name) + "@example.com",
                                    "--password-stdin", "--data", data},
                                   "pw\n")
                           ->wait() == 0);
    server::SqliteOptions o;
    o.file = d.path() / "data" / "kalends.sqlite3";
    auto store = server::SqliteStore::open(o);
    store->provision_home(store->find_principal("alice")->id);
    return data;
}

/// The grants on alice's "calendar", as "user=permission" lines.
std::string grants_in(TempDir& d) {
    server::SqliteOptions o;
    o.file = d.path() / "data" / "kalends.sqlite3";
    auto store = server::SqliteStore::open(o);
    auto c = store->find_collection(store->find_principal("alice")->id, "calendar");
    std::string out;
    for (const auto& g : store->grants_of_collection(c->id))
        out += g.grantee.name + "=" + std::string(caldav::share_permission_name(g.permission)) + "\n";
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(share_cli)

BOOST_AUTO_TEST_CASE(share_writes_a_grant_that_list_shows_and_unshare_removes) {
    TempDir d;
    auto data = prepared(d);
    auto add = run_kalends({"share", "alice/calendar", "bob", "--permission", "edit", "--data", data});
    BOOST_TEST_REQUIRE(*add->wait() == 0, add->err());
    BOOST_TEST(grants_in(d) == "bob=edit\n");

    auto change = run_kalends({"share", "alice/calendar", "bob", "--permission", "free-busy", "--data", data});
    BOOST_TEST_REQUIRE(*change->wait() == 0, change->err());
    BOOST_TEST(grants_in(d) == "bob=free-busy\n");

    for (auto target : {"alice", "alice/calendar"}) {
        auto list = run_kalends({"share", "list", target, "--data", data});
        BOOST_TEST_REQUIRE(*list->wait() == 0, list->err());
        BOOST_TEST(list->out() == "alice/calendar\tbob\tfree-busy\n");
    }

    auto remove = run_kalends({"unshare", "alice/calendar", "bob", "--data", data});
    BOOST_TEST_REQUIRE(*remove->wait() == 0, remove->err());
    BOOST_TEST(grants_in(d).empty());
    auto list = run_kalends({"share", "list", "alice", "--data", data});
    BOOST_TEST(*list->wait() == 0);
    BOOST_TEST(list->out().empty());
    auto again = run_kalends({"unshare", "alice/calendar", "bob", "--data", data});
    BOOST_TEST(*again->wait() == 1);
    BOOST_TEST(contains(again->err(), "not shared with bob"));
}

BOOST_AUTO_TEST_CASE(share_refuses_bad_permissions_targets_users_and_the_owner_and_writes_nothing) {
    TempDir d;
    auto data = prepared(d);
    const std::vector<std::pair<std::vector<std::string>, std::string>> refused{
        {{"share", "alice/calendar", "bob", "--permission", "owner"}, "--permission is view, edit, admin or free-busy"},
        {{"share", "alice/nothing", "bob", "--permission", "view"}, "alice has no calendar 'nothing'"},
        {{"share", "alice/inbox", "bob", "--permission", "view"}, "alice has no calendar 'inbox'"},
        {{"share", "nobody/calendar", "bob", "--permission", "view"}, "no user 'nobody'"},
        {{"share", "alice/calendar", "nobody", "--permission", "view"}, "no user 'nobody'"},
        {{"share", "alice/calendar", "alice", "--permission", "view"}, "alice owns this calendar"},
        {{"share", "alice", "bob", "--permission", "view"}, "expected OWNER/CALENDAR"},
    };
    for (const auto& [args, message] : refused) {
        auto all = args;
        all.insert(all.end(), {"--data", data});
        auto p = run_kalends(all);
        BOOST_TEST(*p->wait() == 1, args[1]);
        BOOST_TEST(contains(p->err(), message), p->err());
    }
    auto usage = run_kalends({"share", "alice/calendar", "bob", "--data", data});
    BOOST_TEST(*usage->wait() == 2);
    BOOST_TEST(grants_in(d).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// `kalends token add|list|revoke` run as the real binary (issue 24): the token
// is printed once, stored hashed, logs in as Bearer, and stops when revoked.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "src/http/authenticator.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using test_support::run_kalends;
using test_support::TempDir;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// The database file and its WAL together, as bytes.
std::string database_bytes(const std::filesystem::path& data) {
    std::string bytes;
    for (auto name : {"kalends.sqlite3", "kalends.sqlite3-wal"}) {
        if (!std::filesystem::exists(data / name)) continue;
        std::ifstream in(data / name, std::ios::binary);
        bytes.append(std::istreambuf_iterator<char>(in), {});
    }
    return bytes;
}

/// Who `token` logs in as through the API's Authenticator on `data`, or "".
std::string bearer_login(const std::filesystem::path& data, const std::string& token) {
    server::SqliteOptions o;
    o.file = data / "kalends.sqlite3";
    auto store = server::SqliteStore::open(o);
    server::Authenticator a(*store, {});
    auto r = a.authenticate("Bearer " + token, "127.0.0.1", true, true);
    return r.principal ? r.principal->name : std::string();
}

int exit_of(const std::vector<std::string>& args, const std::string& input = {}) {
    return *run_kalends(args, input)->wait();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(token_cli)

BOOST_AUTO_TEST_CASE(token_add_prints_the_token_once_and_it_logs_in_as_bearer_until_revoked) {
    TempDir d;
    auto data = (d.path() / "data").string();
    BOOST_REQUIRE(exit_of({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n") == 0);

    auto add = run_kalends({"token", "add", "alice", "--name", "phone", "--data", data});
    BOOST_TEST_REQUIRE(*add->wait() == 0, add->err());
    auto out = add->out();
    auto token = out.substr(0, out.find('\n'));
    BOOST_TEST(token.size() == 47u);
    BOOST_TEST(token.rfind("kal_", 0) == 0u);
    BOOST_TEST(contains(out, "not shown again"));
    BOOST_TEST(!contains(database_bytes(data), token));
    BOOST_TEST(contains(database_bytes(data), server::hash_access_token(token)));

    auto list = run_kalends({"token", "list", "alice", "--data", data});
    BOOST_TEST(*list->wait() == 0);
    BOOST_TEST(list->out().rfind("phone\tcreated=", 0) == 0u, list->out());
    BOOST_TEST(contains(list->out(), "\tlast-used=never\n"));
    BOOST_TEST(!contains(list->out(), token));

    BOOST_TEST(bearer_login(data, token) == "alice");
    auto used = run_kalends({"token", "list", "alice", "--data", data});
    BOOST_TEST(*used->wait() == 0);
    BOOST_TEST(!contains(used->out(), "never"), used->out());

    auto revoke = run_kalends({"token", "revoke", "alice", "phone", "--data", data});
    BOOST_TEST(*revoke->wait() == 0, revoke->err());
    BOOST_TEST(bearer_login(data, token) == "");
    auto after = run_kalends({"token", "list", "alice", "--data", data});
    BOOST_TEST(*after->wait() == 0);
    BOOST_TEST(after->out() == "");
}

BOOST_AUTO_TEST_CASE(token_commands_refuse_unknown_users_taken_names_and_bad_command_lines) {
    TempDir d;
    auto data = (d.path() / "data").string();
    BOOST_REQUIRE(exit_of({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n") == 0);
    BOOST_REQUIRE(exit_of({"resource", "add", "room1", "--email", "room1@example.com", "--data", data}) == 0);
    BOOST_TEST(exit_of({"token", "add", "alice", "--name", "phone", "--data", data}) == 0);

    auto taken = run_kalends({"token", "add", "alice", "--name", "phone", "--data", data});
    BOOST_TEST(*taken->wait() == 1);
    BOOST_TEST(contains(taken->err(), "already has a token named 'phone'"));
    auto nobody = run_kalends({"token", "add", "bob", "--name", "phone", "--data", data});
    BOOST_TEST(*nobody->wait() == 1);
    BOOST_TEST(contains(nobody->err(), "no user 'bob'"));
    BOOST_TEST(exit_of({"token", "add", "room1", "--name", "x", "--data", data}) == 1);
    BOOST_TEST(exit_of({"token", "list", "bob", "--data", data}) == 1);
    auto gone = run_kalends({"token", "revoke", "alice", "laptop", "--data", data});
    BOOST_TEST(*gone->wait() == 1);
    BOOST_TEST(contains(gone->err(), "no token named 'laptop'"));

    BOOST_TEST(exit_of({"token", "add", "alice", "--data", data}) == 2);               // no --name
    BOOST_TEST(exit_of({"token", "add", "alice", "--name", "", "--data", data}) == 1);  // empty name
    BOOST_TEST(exit_of({"token", "add", "alice", "--name", "a\tb", "--data", data}) == 1);
    BOOST_TEST(exit_of({"token", "revoke", "alice", "--data", data}) == 2);
    BOOST_TEST(exit_of({"token", "frob", "--data", data}) == 2);
    // Nothing of the refused ones was stored.
    auto list = run_kalends({"token", "list", "alice", "--data", data});
    BOOST_TEST(*list->wait() == 0);
    BOOST_TEST(std::count(list->out().begin(), list->out().end(), '\n') == 1);
}

BOOST_AUTO_TEST_SUITE_END()

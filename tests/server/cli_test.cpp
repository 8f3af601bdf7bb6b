// The kalends binary: configuration errors, user management, serve and SIGTERM.
#include "src/cli/cli.hpp"

#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <memory>

#include "src/config/config.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using test_support::run_kalends;
using test_support::TempDir;

namespace {

std::string write_file(const TempDir& d, const std::string& name, const std::string& text) {
    auto p = d.path() / name;
    std::ofstream(p) << text;
    return p.string();
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// Waits for a started `serve` to listen, then sends it one authenticated
/// OPTIONS (user alice, password pw); the reply's status, or 0 without one.
int options_status(test_support::Child& server) {
    auto port_text = server.stderr_after("listening on http://127.0.0.1:", 10s);
    if (!port_text) return 0;
    test_support::HttpClient c(static_cast<std::uint16_t>(std::stoi(*port_text)));
    c.send("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + test_support::basic_auth("alice", "pw") +
           "\r\n\r\n");
    auto r = c.read_reply();
    return r ? r->status : 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(version_prints_the_version) {
    auto c = run_kalends({"version"});
    BOOST_TEST(*c->wait() == 0);
    BOOST_TEST(c->out() == std::string("kalends ") + KALENDS_VERSION + "\n");
}

BOOST_AUTO_TEST_CASE(unknown_command_exits_2_with_usage_hint) {
    auto c = run_kalends({"frobnicate"});
    BOOST_TEST(*c->wait() == 2);
    BOOST_TEST(contains(c->err(), "unknown command 'frobnicate'"));
}

BOOST_AUTO_TEST_CASE(unknown_config_key_exits_1_naming_file_and_key) {
    TempDir d;
    auto conf = write_file(d, "k.conf", "[server]\nlisten = 127.0.0.1:0\nfrobs = 3\n");
    auto c = run_kalends({"serve", "--config", conf, "--data", (d.path() / "data").string()});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), conf));
    BOOST_TEST(contains(c->err(), "server.frobs"));
}

BOOST_AUTO_TEST_CASE(bad_value_in_config_names_file_and_key) {
    TempDir d;
    auto conf = write_file(d, "k.conf", "[limits]\nbody-bytes = lots\n");
    auto c = run_kalends({"serve", "--config", conf, "--data", (d.path() / "data").string()});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), conf));
    BOOST_TEST(contains(c->err(), "body-bytes"));
}

BOOST_AUTO_TEST_CASE(bad_imip_link_settings_name_file_and_key) {
    TempDir d;
    for (std::string bad : {"public-url = cal.example.org", "link-days = 0"}) {
        auto conf = write_file(d, "k.conf", "[imip]\n" + bad + "\n");
        auto c = run_kalends({"serve", "--config", conf, "--data", (d.path() / "data").string()});
        BOOST_TEST(*c->wait() == 1);
        BOOST_TEST(contains(c->err(), conf));
        BOOST_TEST(contains(c->err(), "imip." + bad.substr(0, bad.find(' '))), c->err());
    }
}

BOOST_AUTO_TEST_CASE(bad_port_exits_1_naming_the_address) {
    TempDir d;
    for (std::string addr : {"127.0.0.1:70000", "127.0.0.1:http", "localhost:8008", "127.0.0.1"}) {
        auto c = run_kalends({"serve", "--listen", addr, "--data", (d.path() / "data").string()});
        BOOST_TEST(*c->wait() == 1, addr);
        BOOST_TEST(contains(c->err(), addr), c->err());
    }
}

BOOST_AUTO_TEST_CASE(plain_http_on_a_public_address_is_refused_unless_allowed) {
    TempDir d;
    auto c = run_kalends({"serve", "--listen", "0.0.0.0:0", "--data", (d.path() / "data").string()});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), "0.0.0.0:0"));
}

BOOST_AUTO_TEST_CASE(unreadable_tls_key_exits_1_naming_the_file) {
    TempDir d;
    auto cert = write_file(d, "cert.pem", "not a certificate\n");
    auto key = (d.path() / "missing-key.pem").string();
    auto conf = write_file(d, "k.conf", "[tls]\ncertificate = " + cert + "\nkey = " + key + "\n");
    auto c = run_kalends({"serve", "--config", conf, "--listen", "127.0.0.1:0", "--data",
                          (d.path() / "data").string()});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), key));
}

BOOST_AUTO_TEST_CASE(garbage_tls_certificate_exits_1_naming_the_file) {
    TempDir d;
    auto cert = write_file(d, "cert.pem", "not a certificate\n");
    auto key = write_file(d, "key.pem", "not a key\n");
    auto conf = write_file(d, "k.conf", "[tls]\ncertificate = " + cert + "\nkey = " + key + "\n");
    auto c = run_kalends({"serve", "--config", conf, "--listen", "127.0.0.1:0", "--data",
                          (d.path() / "data").string()});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), cert));
}

BOOST_AUTO_TEST_CASE(unusable_data_dir_exits_1_naming_it) {
    TempDir d;
    auto file = write_file(d, "plain-file", "x");
    auto data = file + "/data";  // a directory cannot be made under a file
    auto c = run_kalends({"serve", "--listen", "127.0.0.1:0", "--data", data});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(contains(c->err(), data));
}

BOOST_AUTO_TEST_CASE(user_add_list_passwd_del_round_trip) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto add = run_kalends({"user", "add", "alice", "--email", "alice@example.com", "--password-stdin", "--data", data},
                           "s3cret\n");
    BOOST_TEST(*add->wait() == 0, add->err());
    auto again = run_kalends({"user", "add", "alice", "--password-stdin", "--data", data}, "x\n");
    BOOST_TEST(*again->wait() == 1);
    BOOST_TEST(contains(again->err(), "already exists"));
    auto list = run_kalends({"user", "list", "--data", data});
    BOOST_TEST(*list->wait() == 0);
    BOOST_TEST(list->out() == "alice\tuser\talice@example.com\n");
    auto passwd = run_kalends({"user", "passwd", "alice", "--password-stdin", "--data", data}, "n3w\n");
    BOOST_TEST(*passwd->wait() == 0);
    auto del = run_kalends({"user", "del", "alice", "--data", data});
    BOOST_TEST(*del->wait() == 0);
    auto list2 = run_kalends({"user", "list", "--data", data});
    BOOST_TEST(list2->out() == "");
    auto del2 = run_kalends({"user", "del", "alice", "--data", data});
    BOOST_TEST(*del2->wait() == 1);
}

BOOST_AUTO_TEST_CASE(passwords_are_stored_hashed_never_in_clear) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto add = run_kalends({"user", "add", "carol", "--password-stdin", "--data", data}, "very-secret-pw\n");
    BOOST_TEST(*add->wait() == 0);
    std::ifstream db(d.path() / "data" / "kalends.sqlite3", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(db)), {});
    auto wal = d.path() / "data" / "kalends.sqlite3-wal";
    if (std::filesystem::exists(wal)) {
        std::ifstream w(wal, std::ios::binary);
        bytes.append(std::istreambuf_iterator<char>(w), {});
    }
    BOOST_TEST(!contains(bytes, "very-secret-pw"));
    BOOST_TEST(contains(bytes, "$y$"));  // yescrypt
}

BOOST_AUTO_TEST_CASE(empty_password_and_bad_email_are_refused) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto empty = run_kalends({"user", "add", "dave", "--password-stdin", "--data", data}, "\n");
    BOOST_TEST(*empty->wait() == 2);
    auto bad = run_kalends({"user", "add", "dave", "--email", "not-an-address", "--password-stdin", "--data", data},
                           "pw\n");
    BOOST_TEST(*bad->wait() == 2);
}

// Issue 22 §10: names that differ only by Unicode normalization, spaces at
// an end, invisible characters or look-alike letters were separate accounts.
BOOST_AUTO_TEST_CASE(user_names_differing_by_normalization_spaces_invisibles_or_look_alikes_are_refused) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto add = [&](const std::string& name, const std::string& email = {}) {
        std::vector<std::string> args{"user", "add", name, "--password-stdin", "--data", data};
        if (!email.empty()) args.insert(args.end(), {"--email", email});
        auto c = run_kalends(args, "pw\n");
        int code = *c->wait();
        return std::make_pair(code, c->err());
    };
    BOOST_TEST(add("alice", "alice@example.com").first == 0);
    BOOST_TEST(add("Jos\xc3\xa9").first == 0);  // é, precomposed (NFC)
    // The same name decomposed (e + U+0301) is the same account once normalized.
    auto decomposed = add("Jose\xcc\x81");
    BOOST_TEST(decomposed.first == 1);
    BOOST_TEST(contains(decomposed.second, "already exists"), decomposed.second);
    // Spaces at either end, invisible and control characters: usage errors.
    for (std::string name : {"alice ", " alice", "ali\xe2\x80\x8b" "ce", "alice\xc2\xa0", "bob\xe2\x80\xae",
                             "al\xc2\xadice", "a\tb", "a  b"}) {
        auto r = add(name);
        BOOST_TEST(r.first == 2, name);
        BOOST_TEST(contains(r.second, "refused"), r.second);
    }
    // Look-alikes of an existing name: a case change, Cyrillic а, capital I for l.
    for (std::string name : {"Alice", "\xd0\xb0lice", "aIice", "ALICE"}) {
        auto r = add(name);
        BOOST_TEST(r.first == 1, name);
        BOOST_TEST(contains(r.second, "looks like the existing 'alice'"), r.second);
    }
    // Addresses: the same one twice, a look-alike, invisible characters.
    auto same = add("alicia", "alice@example.com");
    BOOST_TEST(same.first == 1);
    BOOST_TEST(contains(same.second, "already used by 'alice'"), same.second);
    BOOST_TEST(add("alicia", "\xd0\xb0lice@example.com").first == 1);
    BOOST_TEST(add("alicia", "alicia\xe2\x80\x8b@example.com").first == 2);
    BOOST_TEST(add("alicia", "alicia@example.com").first == 0);
    // Rooms follow the same rules.
    auto room = run_kalends({"resource", "add", "Room 1 ", "--email", "room1@example.com", "--data", data});
    BOOST_TEST(*room->wait() == 2);
    auto look_alike = run_kalends({"resource", "add", "Alicia", "--email", "room@example.com", "--data", data});
    BOOST_TEST(*look_alike->wait() == 1);
    BOOST_TEST(*run_kalends({"resource", "add", "Room 1", "--email", "room1@example.com", "--data", data})->wait() == 0);
    auto list = run_kalends({"user", "list", "--data", data});
    BOOST_TEST(*list->wait() == 0);
    for (std::string line : {"Jos\xc3\xa9\tuser\t-\n", "Room 1\troom\troom1@example.com\n",
                             "alice\tuser\talice@example.com\n", "alicia\tuser\talicia@example.com\n"})
        BOOST_TEST(contains(list->out(), line), list->out());
    BOOST_TEST(std::count(list->out().begin(), list->out().end(), '\n') == 4);
    // passwd and del find the account by its name typed decomposed too.
    BOOST_TEST(*run_kalends({"user", "passwd", "Jose\xcc\x81", "--password-stdin", "--data", data}, "n3w\n")->wait() ==
               0);
    BOOST_TEST(*run_kalends({"user", "del", "Jose\xcc\x81", "--data", data})->wait() == 0);
}

// A name stored before the rules (here by the store directly, as an older
// version did) can still get a new password and be deleted.
BOOST_AUTO_TEST_CASE(an_account_named_before_the_name_rules_can_still_be_deleted) {
    TempDir d;
    auto data = (d.path() / "data").string();
    BOOST_REQUIRE(*run_kalends({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n")->wait() == 0);
    {
        server::SqliteOptions o;
        o.file = d.path() / "data" / "kalends.sqlite3";
        auto store = server::SqliteStore::open(o);
        BOOST_REQUIRE(store->add_user("bob ", "", "*") == caldav::StoreStatus::ok);
        store->close();
    }
    BOOST_TEST(*run_kalends({"user", "passwd", "bob ", "--password-stdin", "--data", data}, "pw\n")->wait() == 0);
    auto del = run_kalends({"user", "del", "bob ", "--data", data});
    BOOST_TEST(*del->wait() == 0, del->err());
    auto list = run_kalends({"user", "list", "--data", data});
    BOOST_TEST(list->out() == "alice\tuser\t-\n");
}

BOOST_AUTO_TEST_CASE(serve_answers_and_exits_0_on_sigterm_within_5_seconds) {
    TempDir d;
    auto data = (d.path() / "data").string();
    BOOST_REQUIRE(*run_kalends({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n")->wait() == 0);
    test_support::Child server({test_support::kalends_bin(), "serve", "--listen", "127.0.0.1:0", "--data", data});
    BOOST_TEST_REQUIRE(options_status(server) == 200, server.err());
    server.signal(SIGTERM);
    auto code = server.wait(5s);
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
    BOOST_TEST(contains(server.err(), "store closed"));
}

// The [server] tuning keys, the hash bound and the collection cache's budget
// are read (an unknown key would stop serve with 1) and a server started with
// them answers.
BOOST_AUTO_TEST_CASE(serve_takes_thread_and_arena_settings_from_the_config) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto conf = write_file(d, "k.conf",
                           "[server]\nhandler-threads = 3\nread-threads = 1\nio-threads = 1\nmalloc-arenas = 2\n"
                           "[auth]\nmax-concurrent-hashes = 1\n[storage]\ncollection-cache-mb = 8\n");
    BOOST_REQUIRE(*run_kalends({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n")->wait() == 0);
    test_support::Child server(
        {test_support::kalends_bin(), "serve", "--config", conf, "--listen", "127.0.0.1:0", "--data", data});
    BOOST_TEST_REQUIRE(options_status(server) == 200, server.err());
    server.signal(SIGTERM);
    BOOST_TEST(server.wait(5s).value_or(-1) == 0);
}

// Issue 22 §6, §7: the per-address connection limit, the pressure valve
// and the login failure tables are read from the config, and checked.
BOOST_AUTO_TEST_CASE(serve_takes_connection_and_login_failure_limits_from_the_config) {
    TempDir d;
    auto data = (d.path() / "data").string();
    auto conf = write_file(d, "k.conf",
                           "[limits]\nconnections-per-address = 4\npressure-percent = 90\n"
                           "pressure-idle-timeout-ms = 500\n[auth]\nfailure-entries = 1000\n"
                           "failure-memory-seconds = 60\n");
    BOOST_REQUIRE(*run_kalends({"user", "add", "alice", "--password-stdin", "--data", data}, "pw\n")->wait() == 0);
    test_support::Child server(
        {test_support::kalends_bin(), "serve", "--config", conf, "--listen", "127.0.0.1:0", "--data", data});
    BOOST_TEST_REQUIRE(options_status(server) == 200, server.err());
    server.signal(SIGTERM);
    BOOST_TEST(server.wait(5s).value_or(-1) == 0);
    auto bad = write_file(d, "bad.conf", "[limits]\npressure-percent = 0\n");
    auto refused = run_kalends({"serve", "--config", bad, "--listen", "127.0.0.1:0", "--data", data});
    BOOST_TEST(*refused->wait() == 1);
    BOOST_TEST(contains(refused->err(), "limits.pressure-percent"), refused->err());
}

// How often one action is planned again (issue 23 §3) is a limit like the others.
BOOST_AUTO_TEST_CASE(plan_attempts_are_read_from_the_config_and_checked) {
    TempDir d;
    server::Config config;
    BOOST_TEST(config.limits.plan_attempts == 5);
    server::read_config_file(write_file(d, "k.conf", "[limits]\nplan-attempts = 2\n"), config);
    BOOST_TEST(config.limits.plan_attempts == 2);
    server::Config refused;
    BOOST_CHECK_EXCEPTION(server::read_config_file(write_file(d, "bad.conf", "[limits]\nplan-attempts = 0\n"), refused),
                          server::ConfigError,
                          [](const server::ConfigError& e) { return contains(e.what(), "limits.plan-attempts"); });
}

BOOST_AUTO_TEST_SUITE_END()

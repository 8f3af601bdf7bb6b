// `kalends serve` on PostgreSQL (issue 27): a throwaway cluster
// (tests/support/postgres_cluster.hpp), `kalends user add` through the
// [storage] settings, and two server processes on one database, as two
// nodes behind a load balancer: a write through one is read, queried and
// synced through the other; /health follows the database; a node killed
// with SIGKILL mid-load loses no acknowledged write.
#define BOOST_TEST_MODULE postgres_serve
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using test_support::Child;
using test_support::HttpClient;
using test_support::HttpReply;

using test_support::free_port;

/// One `kalends serve` process on a port of its own, stopped by its PID.
struct Node {
    std::uint16_t port = free_port();
    std::unique_ptr<Child> child;

    Node(const std::string& config, const std::string& data, const std::string& log_level = "error") {
        child = std::make_unique<Child>(std::vector<std::string>{test_support::kalends_bin(), "serve", "--config",
                                                                 config, "--data", data, "--listen",
                                                                 "127.0.0.1:" + std::to_string(port),
                                                                 "--log-level", log_level});
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (child->wait(0ms)) throw std::runtime_error("kalends serve exited: " + child->err());
            try {
                HttpClient probe(port);
                return;
            } catch (const std::runtime_error&) {
                std::this_thread::sleep_for(20ms);
            }
        }
        throw std::runtime_error("kalends serve did not listen");
    }
    ~Node() {
        child->signal(SIGTERM);
        child->wait(10s);
    }

    HttpReply call(const std::string& method, const std::string& path, const std::string& body = {},
                   const std::string& headers = {}) const {
        std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " +
                        test_support::basic_auth("alice", "alice-pw") + "\r\n" + headers;
        if (!body.empty() || method == "PUT") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        HttpClient c(port);
        c.send(r + "\r\n" + body);
        auto reply = c.read_reply();
        if (!reply) throw std::runtime_error("no answer to " + method + " " + path);
        return *reply;
    }
};

std::string event(const std::string& uid, const std::string& start) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:" + uid +
           "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// The value of the first <...sync-token> element of a REPORT answer.
std::string sync_token(const std::string& body) {
    auto at = body.find("sync-token>");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    auto from = at + 11;
    return body.substr(from, body.find('<', from) - from);
}

const std::string calendar = "/dav/calendars/alice/calendar/";

std::string sync_report(const std::string& token) {
    return "<?xml version=\"1.0\"?><D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>" + token +
           "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
}

/// A cluster with the database `kalends`, a config file naming it, and the user alice.
struct Site {
    test_support::PostgresCluster cluster;
    test_support::TempDir dir;
    std::string config = (dir.path() / "kalends.conf").string();

    Site() {
        std::ofstream(config) << "[storage]\nbackend = postgresql\nurl = " << cluster.create_database("kalends")
                              << "\npool-size = 4\n";
        auto add = test_support::run_kalends({"user", "add", "alice", "--email", "alice@example.com",
                                              "--password-stdin", "--config", config, "--data", data("a")},
                                             "alice-pw\n");
        if (add->wait().value_or(-1) != 0) throw std::runtime_error("user add failed: " + add->err());
    }
    /// A node's own data directory.
    std::string data(const std::string& node) const { return (dir.path() / node).string(); }
};

/// What one writer thread saw: the objects whose PUT was acknowledged (2xx),
/// and whether its node stopped answering.
struct Written {
    std::vector<std::string> acknowledged;
    std::atomic<std::size_t> count{0};  ///< acknowledged.size(), for other threads to read meanwhile
    bool lost_its_node = false;
};

/// PUTs new objects `PREFIXn.ics` through `node` one after another until
/// `stop` is set or the node stops answering.
void write_until(const Node& node, const std::string& prefix, const std::atomic<bool>& stop, Written& out) {
    for (int i = 0; !stop; ++i) {
        const auto name = prefix + std::to_string(i);
        try {
            auto r = node.call("PUT", calendar + name + ".ics", event(name, "20250310T090000Z"),
                               "Content-Type: text/calendar\r\n");
            if (r.status / 100 == 2) {
                out.acknowledged.push_back(name);
                ++out.count;
            }
        } catch (const std::exception&) {
            out.lost_its_node = true;
            return;
        }
    }
}

/// How many objects a sync-collection answer names.
std::size_t objects_named(const std::string& body) {
    std::size_t n = 0;
    for (auto at = body.find(".ics<"); at != std::string::npos; at = body.find(".ics<", at + 1)) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_killed_with_sigkill_mid_load_loses_no_acknowledged_write) {
    Site site;
    Node a(site.config, site.data("a")), b(site.config, site.data("b"));
    BOOST_TEST_REQUIRE(a.call("PROPFIND", calendar, {}, "Depth: 0\r\n").status == 207);  // provisions the home
    std::atomic<bool> stop{false};
    Written through_a, through_b;
    std::thread writer_a([&] { write_until(a, "a", stop, through_a); });
    std::thread writer_b([&] { write_until(b, "b", stop, through_b); });
    std::this_thread::sleep_for(800ms);
    a.child->signal(SIGKILL);
    const std::size_t b_at_kill = through_b.count;
    std::this_thread::sleep_for(600ms);
    stop = true;
    writer_a.join();
    writer_b.join();

    // The kill came mid-load: A had acknowledged writes and then stopped answering; B never did.
    BOOST_TEST_REQUIRE(!through_a.acknowledged.empty());
    BOOST_TEST(through_a.lost_its_node);
    BOOST_TEST(!through_b.lost_its_node);
    BOOST_TEST(through_b.acknowledged.size() > b_at_kill);  // B went on after the kill
    for (const auto* written : {&through_a, &through_b})
        for (const auto& name : written->acknowledged) {
            auto got = b.call("GET", calendar + name + ".ics");
            BOOST_TEST(got.status == 200, name);
            BOOST_TEST(got.body.find("UID:" + name + "\r\n") != std::string::npos, name);
        }
    // A full sync through B names every acknowledged object, and at most the
    // one write A was answering when it died besides.
    auto synced = b.call("REPORT", calendar, sync_report(""), "Content-Type: application/xml\r\n");
    BOOST_TEST_REQUIRE(synced.status == 207);
    const auto acknowledged = through_a.acknowledged.size() + through_b.acknowledged.size();
    BOOST_TEST(objects_named(synced.body) >= acknowledged);
    BOOST_TEST(objects_named(synced.body) <= acknowledged + 1);
}

BOOST_AUTO_TEST_CASE(health_answers_503_while_the_database_is_down_and_200_once_it_is_back) {
    Site site;
    Node node(site.config, site.data("a"));
    BOOST_TEST_REQUIRE(node.call("PROPFIND", calendar, {}, "Depth: 0\r\n").status == 207);  // pools a connection
    auto up = node.call("GET", "/health");
    BOOST_TEST(up.status == 200);
    BOOST_TEST(up.body.starts_with("kalends "), up.body);

    site.cluster.stop();
    auto down = node.call("GET", "/health");
    BOOST_TEST(down.status == 503);
    BOOST_TEST(down.body == "database unreachable\n");

    // Back up: the node reconnects, and its first request is answered (its
    // pooled connections died with the old server).
    site.cluster.restart();
    BOOST_TEST(node.call("PROPFIND", calendar, {}, "Depth: 0\r\n").status == 207);
    BOOST_TEST(node.call("GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(two_kalends_nodes_on_one_postgresql_database_see_each_others_writes) {
    test_support::PostgresCluster cluster;
    test_support::TempDir dir;
    const auto url = cluster.create_database("kalends");
    const auto config = (dir.path() / "kalends.conf").string();
    std::ofstream(config) << "[storage]\nbackend = postgresql\nurl = " << url << "\npool-size = 4\n";
    const auto data_a = (dir.path() / "a").string(), data_b = (dir.path() / "b").string();
    auto add = test_support::run_kalends({"user", "add", "alice", "--email", "alice@example.com", "--password-stdin",
                                          "--config", config, "--data", data_a},
                                         "alice-pw\n");
    BOOST_TEST_REQUIRE(add->wait().value_or(-1) == 0, add->err());

    Node a(config, data_a), b(config, data_b);
    BOOST_TEST(a.call("PROPFIND", calendar, {}, "Depth: 0\r\n").status == 207);  // provisions the home
    auto initial = b.call("REPORT", calendar, sync_report(""), "Content-Type: application/xml\r\n");
    BOOST_TEST_REQUIRE(initial.status == 207);
    const auto token = sync_token(initial.body);

    BOOST_TEST(a.call("PUT", calendar + "one.ics", event("one", "20250310T090000Z"),
                      "Content-Type: text/calendar\r\n")
                   .status == 201);
    auto got = b.call("GET", calendar + "one.ics");
    BOOST_TEST(got.status == 200);
    BOOST_TEST(got.body.find("UID:one") != std::string::npos);

    const std::string query =
        "<?xml version=\"1.0\"?><C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
        "<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
        "<C:time-range start=\"20250310T000000Z\" end=\"20250311T000000Z\"/></C:comp-filter></C:comp-filter>"
        "</C:filter></C:calendar-query>";
    auto found = b.call("REPORT", calendar, query, "Depth: 1\r\nContent-Type: application/xml\r\n");
    BOOST_TEST(found.status == 207);
    BOOST_TEST(found.body.find("one.ics") != std::string::npos);

    auto synced = b.call("REPORT", calendar, sync_report(token), "Content-Type: application/xml\r\n");
    BOOST_TEST(synced.status == 207);
    BOOST_TEST(synced.body.find("one.ics") != std::string::npos);
    BOOST_TEST(sync_token(synced.body) != token);

    // Deleted through B: A's next sync from the newer token names it as gone.
    const auto after_put = sync_token(synced.body);
    BOOST_TEST(b.call("DELETE", calendar + "one.ics").status == 204);
    BOOST_TEST(a.call("GET", calendar + "one.ics").status == 404);
    auto gone = a.call("REPORT", calendar, sync_report(after_put), "Content-Type: application/xml\r\n");
    BOOST_TEST(gone.status == 207);
    BOOST_TEST(gone.body.find("404") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(storage_settings_name_a_known_backend_and_postgresql_needs_a_url) {
    test_support::TempDir dir;
    const auto config = (dir.path() / "kalends.conf").string();
    const auto data = (dir.path() / "data").string();
    std::ofstream(config) << "[storage]\nbackend = mysql\n";
    auto unknown = test_support::run_kalends({"user", "list", "--config", config, "--data", data});
    BOOST_TEST(unknown->wait().value_or(0) != 0);
    BOOST_TEST(unknown->err().find("storage.backend") != std::string::npos, unknown->err());
    std::ofstream(config) << "[storage]\nbackend = postgresql\n";
    auto no_url = test_support::run_kalends({"user", "list", "--config", config, "--data", data});
    BOOST_TEST(no_url->wait().value_or(0) != 0);
    BOOST_TEST(no_url->err().find("storage.url") != std::string::npos, no_url->err());
}

BOOST_AUTO_TEST_CASE(backup_restore_and_check_refuse_a_postgresql_backend_and_touch_no_file) {
    test_support::TempDir dir;
    const auto config = (dir.path() / "kalends.conf").string();
    const auto data = (dir.path() / "data").string();
    const auto copy = dir.path() / "copy.sqlite3";
    std::ofstream(config) << "[storage]\nbackend = postgresql\nurl = postgresql://nobody@127.0.0.1:1/none\n";
    for (const auto& command : std::vector<std::vector<std::string>>{
             {"backup", copy.string()}, {"restore", copy.string()}, {"check"}}) {
        auto args = command;
        args.insert(args.end(), {"--config", config, "--data", data});
        auto run = test_support::run_kalends(args);
        BOOST_TEST(run->wait().value_or(0) == 2, command[0] << ": " << run->err());
        BOOST_TEST(run->err().find("SQLite backend only") != std::string::npos, run->err());
    }
    BOOST_TEST(!std::filesystem::exists(copy));
    BOOST_TEST(!std::filesystem::exists(dir.path() / "data" / "kalends.sqlite3"));
}

BOOST_AUTO_TEST_CASE(the_password_comes_from_the_password_file_and_a_wrong_one_is_refused) {
    test_support::PostgresCluster cluster;
    test_support::TempDir dir;
    const auto url = cluster.create_database("kalends");
    cluster.sql("CREATE ROLE app LOGIN PASSWORD 'right-pw'");
    cluster.sql("ALTER DATABASE kalends OWNER TO app");  // it creates the schema
    // The cluster trusts every connection; from now on app's must show its password.
    const auto hba = cluster.hba_file();
    std::ofstream(hba) << "host all app 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n"
                       << "local all all trust\n";
    cluster.sql("SELECT pg_reload_conf()");
    const auto app_url = "postgresql://app@127.0.0.1:" + std::to_string(cluster.port()) + "/kalends?gssencmode=disable";
    const auto config = (dir.path() / "kalends.conf").string();
    const auto secret = (dir.path() / "pg-password").string();
    const auto data = (dir.path() / "data").string();
    std::ofstream(config) << "[storage]\nbackend = postgresql\nurl = " << app_url << "\npassword-file = " << secret
                          << "\n";
    std::ofstream(secret) << "wrong-pw\n";
    auto refused = test_support::run_kalends({"user", "list", "--config", config, "--data", data});
    BOOST_TEST(refused->wait().value_or(0) != 0);
    BOOST_TEST(refused->err().find("password authentication failed") != std::string::npos, refused->err());
    std::ofstream(secret) << "right-pw\n";
    auto added = test_support::run_kalends({"user", "add", "carol", "--email", "carol@example.com",
                                            "--password-stdin", "--config", config, "--data", data},
                                           "carol-pw\n");
    BOOST_TEST(added->wait().value_or(-1) == 0, added->err());
    auto listed = test_support::run_kalends({"user", "list", "--config", config, "--data", data});
    BOOST_TEST(listed->wait().value_or(-1) == 0, listed->err());
    BOOST_TEST(listed->out().find("carol") != std::string::npos, listed->out());
}

BOOST_AUTO_TEST_CASE(the_start_up_line_names_the_postgresql_database_with_its_password_masked) {
    test_support::PostgresCluster cluster;
    test_support::TempDir dir;
    cluster.create_database("kalends");
    cluster.sql("CREATE ROLE app LOGIN PASSWORD 'in-url-pw'");
    cluster.sql("ALTER DATABASE kalends OWNER TO app");
    const auto config = (dir.path() / "kalends.conf").string();
    std::ofstream(config) << "[storage]\nbackend = postgresql\nurl = postgresql://app:in-url-pw@127.0.0.1:"
                          << cluster.port() << "/kalends?gssencmode=disable\n";
    Node node(config, (dir.path() / "data").string(), "info");
    const auto shown = node.child->stderr_after("using PostgreSQL ", 5s);
    BOOST_TEST_REQUIRE(shown.has_value(), node.child->err());
    BOOST_TEST(shown->starts_with("postgresql://app:***@127.0.0.1:"), *shown);
    const auto& log = node.child->err();
    BOOST_TEST(log.find("in-url-pw") == std::string::npos, log);
    BOOST_TEST(log.find("kalends.sqlite3") == std::string::npos, log);
}

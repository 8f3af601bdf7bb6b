// Running under a service manager (issue 29 §5): readiness through a fake
// NOTIFY_SOCKET, JSON log lines, and SIGHUP reloading the TLS certificate.
#include <boost/test/unit_test.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "src/util/notify.hpp"
#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"

using ops_test::as;

namespace {

/// `kalends serve` with `config` on a free port, not waited for: the tests
/// here watch how it announces itself. `env` ("NAME=value") is set for the child only.
struct Serve {
    std::uint16_t port = ops_test::free_port();
    std::unique_ptr<test_support::Child> child;

    Serve(const std::filesystem::path& data, const std::filesystem::path& config, const std::string& env = {}) {
        std::string name, value;
        if (!env.empty()) {
            name = env.substr(0, env.find('='));
            value = env.substr(env.find('=') + 1);
            ::setenv(name.c_str(), value.c_str(), 1);
        }
        child = std::make_unique<test_support::Child>(std::vector<std::string>{
            test_support::kalends_bin(), "serve", "--data", data.string(), "--config", config.string(), "--listen",
            "127.0.0.1:" + std::to_string(port)});
        if (!name.empty()) ::unsetenv(name.c_str());
    }
    ~Serve() { stop(); }

    void stop() {
        if (!child) return;
        child->signal(SIGTERM);
        child->wait(std::chrono::seconds(20));
    }

    /// Waits until the port accepts (plain TCP connect).
    void wait_listening() const {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            if (accepts()) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        BOOST_FAIL("kalends serve did not listen: " + child->err());
    }

    bool accepts() const {
        try {
            test_support::HttpClient probe(port);
            return true;
        } catch (const std::runtime_error&) {
            return false;
        }
    }
};

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Waits until `file` contains `needle`; returns the whole text.
std::string wait_for_in_file(const std::filesystem::path& file, const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string text;
    while (std::chrono::steady_clock::now() < deadline) {
        text = read_file(file);
        if (text.find(needle) != std::string::npos) return text;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_FAIL("'" + needle + "' never appeared in " + file.string() + ":\n" + text);
    return text;
}

/// A unix datagram socket bound at `path`: the service manager's end of NOTIFY_SOCKET.
class NotifyListener {
public:
    explicit NotifyListener(const std::filesystem::path& path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        BOOST_TEST_REQUIRE(path.string().size() < sizeof a.sun_path);
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        BOOST_TEST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~NotifyListener() { ::close(fd_); }

    /// The next datagram, or nullopt after `timeout`.
    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        char buf[4096];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

private:
    int fd_ = -1;
};

/// SHA-256 of the certificate the server at `port` presents in a new handshake.
std::string presented_certificate(std::uint16_t port) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    test_support::HttpClient c(port, ctx);
    std::string digest;
    if (X509* cert = SSL_get1_peer_certificate(c.ssl())) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        X509_digest(cert, EVP_sha256(), md, &len);
        digest.assign(reinterpret_cast<char*>(md), len);
        X509_free(cert);
    }
    SSL_CTX_free(ctx);
    return digest;
}

/// SHA-256 of the PEM certificate in `file`.
std::string file_certificate(const std::filesystem::path& file) {
    std::FILE* f = std::fopen(file.c_str(), "r");
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    BOOST_TEST_REQUIRE(cert != nullptr);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    X509_free(cert);
    return std::string(reinterpret_cast<char*>(md), len);
}

const std::string event_ics =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:service-1\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260302T120000Z\r\nDURATION:PT1H\r\nSUMMARY:s\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(service)

BOOST_AUTO_TEST_CASE(ready_is_notified_once_the_port_accepts_and_stopping_at_shutdown) {
    if (!server::notify::supported()) {
        BOOST_TEST_MESSAGE("SKIPPED: built without libsystemd (Debian libsystemd-dev): no sd_notify to test");
        return;
    }
    test_support::TempDir dir;
    write_file(dir.path() / "kalends.conf", "[log]\nlevel = warn\n");
    NotifyListener listener(dir.path() / "notify.sock");
    Serve serve(dir.path(), dir.path() / "kalends.conf", "NOTIFY_SOCKET=" + (dir.path() / "notify.sock").string());
    std::string ready;
    while (auto message = listener.next(std::chrono::seconds(20))) {
        if (message->find("READY=1") != std::string::npos) {
            ready = *message;
            break;
        }
    }
    BOOST_TEST_REQUIRE(!ready.empty(), "no READY=1 arrived: " + serve.child->err());
    // Readiness means connections are accepted from this moment.
    BOOST_TEST(serve.accepts());
    BOOST_TEST(ready.find("STATUS=serving on 127.0.0.1:" + std::to_string(serve.port)) != std::string::npos, ready);
    serve.child->signal(SIGTERM);
    std::string stopping;
    while (auto message = listener.next(std::chrono::seconds(20)))
        if (message->find("STOPPING=1") != std::string::npos) {
            stopping = *message;
            break;
        }
    BOOST_TEST(!stopping.empty());
    auto status = serve.child->wait(std::chrono::seconds(20));
    BOOST_TEST((status && *status == 0));
}

BOOST_AUTO_TEST_CASE(json_log_lines_each_parse_and_carry_the_request_fields) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    auto log = dir.path() / "kalends.log";
    write_file(dir.path() / "kalends.conf", "[log]\nlevel = info\nformat = json\nfile = " + log.string() + "\n");
    Serve serve(dir.path(), dir.path() / "kalends.conf");
    serve.wait_listening();
    auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                    const std::string& headers = {}) {
        test_support::HttpClient c(serve.port);
        c.send(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: " +
               as("alice") + "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        auto reply = c.read_reply(std::chrono::seconds(30));
        BOOST_TEST_REQUIRE(reply.has_value());
        return reply->status;
    };
    BOOST_TEST(call("PUT", "/dav/calendars/alice/calendar/s.ics", event_ics, "Content-Type: text/calendar\r\n") == 201);
    BOOST_TEST(call("GET", "/dav/calendars/alice/calendar/missing.ics", "") == 404);
    serve.stop();
    std::istringstream lines(read_file(log));
    std::string line;
    int lines_seen = 0;
    std::map<std::string, boost::json::object> requests;  // by "METHOD path"
    while (std::getline(lines, line)) {
        ++lines_seen;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        BOOST_TEST_REQUIRE(!ec, "not JSON: " + line);
        BOOST_TEST_REQUIRE(v.is_object(), line);
        const auto& o = v.as_object();
        BOOST_TEST(o.contains("time"));
        BOOST_TEST(o.contains("level"));
        BOOST_TEST(o.contains("message"));
        if (o.contains("method"))
            requests[std::string(o.at("method").as_string()) + " " + std::string(o.at("path").as_string())] = o;
    }
    BOOST_TEST(lines_seen >= 4);  // start-up lines and the two requests
    BOOST_TEST_REQUIRE(requests.count("PUT /dav/calendars/alice/calendar/s.ics") == 1u);
    const auto& put = requests["PUT /dav/calendars/alice/calendar/s.ics"];
    BOOST_TEST(put.at("status").as_int64() == 201);
    BOOST_TEST(std::string(put.at("user").as_string()) == "alice");
    BOOST_TEST(std::string(put.at("level").as_string()) == "info");
    BOOST_TEST(!put.at("request_id").as_string().empty());
    BOOST_TEST(put.at("duration_ms").is_double());
    BOOST_TEST_REQUIRE(requests.count("GET /dav/calendars/alice/calendar/missing.ics") == 1u);
    BOOST_TEST(requests["GET /dav/calendars/alice/calendar/missing.ics"].at("status").as_int64() == 404);
}

BOOST_AUTO_TEST_CASE(sighup_serves_the_new_certificate_and_names_what_needs_a_restart) {
    test_support::TempDir dir;
    auto cert = dir.path() / "cert.pem", key = dir.path() / "key.pem", log = dir.path() / "kalends.log";
    test_support::write_self_signed(cert, key);
    auto config = [&](const std::string& level, const std::string& header_bytes) {
        write_file(dir.path() / "kalends.conf", "[tls]\ncertificate = " + cert.string() + "\nkey = " + key.string() +
                                                    "\n[log]\nlevel = " + level + "\nfile = " + log.string() +
                                                    "\n[limits]\nheader-bytes = " + header_bytes + "\n");
    };
    config("info", "16384");
    Serve serve(dir.path(), dir.path() / "kalends.conf");
    serve.wait_listening();
    auto first = file_certificate(cert);
    BOOST_TEST_REQUIRE(presented_certificate(serve.port) == first);
    // A renewed certificate (a new key) replaces the files in place, as certbot's deploy hook would.
    test_support::write_self_signed(dir.path() / "new-cert.pem", dir.path() / "new-key.pem");
    std::filesystem::rename(dir.path() / "new-cert.pem", cert);
    std::filesystem::rename(dir.path() / "new-key.pem", key);
    auto second = file_certificate(cert);
    BOOST_TEST_REQUIRE(second != first);
    config("debug", "32768");
    BOOST_TEST(presented_certificate(serve.port) == first);  // nothing changes before the signal
    serve.child->signal(SIGHUP);
    auto text = wait_for_in_file(log, "SIGHUP: reloaded");
    auto line = text.substr(text.find("SIGHUP: reloaded"));
    line = line.substr(0, line.find('\n'));
    BOOST_TEST(line.find("TLS certificate") != std::string::npos, line);
    BOOST_TEST(line.find("log.level") != std::string::npos, line);
    BOOST_TEST(line.find("not reloaded (restart needed): limits.header-bytes") != std::string::npos, line);
    BOOST_TEST(presented_certificate(serve.port) == second);
    // log.level = debug took effect: the ending of that TLS connection is logged
    // at debug level (waited for: the server sees the close asynchronously).
    wait_for_in_file(log, " DEBUG ");
    serve.stop();
}

BOOST_AUTO_TEST_SUITE_END()

// The mail worker's SMTP sessions (issue 26: reminders on time): several
// messages over one connection (RFC 5321 §3.3, a new MAIL FROM after each
// message's DATA), at most smtp.connections connections at once, and each
// message's outcome recorded once, a refusal or a deferral affecting only its
// own message. Against an SMTP sink (python3-aiosmtpd) that logs, per
// message, the connection it came on and how many messages were in DATA at
// once.
#define BOOST_TEST_MODULE mail
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "caldav/store_jobs.hpp"
#include "src/mail/mail_worker.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using test_support::ServerFixture;

namespace {

/// aiosmtpd with a handler that appends "PEER-PORT RECIPIENT IN-DATA" per
/// accepted message to a log file (IN-DATA: messages in DATA at that moment,
/// this one included, after `delay` seconds spent there), and answers the
/// recipients listed after the delay with their reply. argv: port, log,
/// delay, then recipient and reply pairs.
const char* const logging_sink_script = R"(
import asyncio, signal, sys, threading
from aiosmtpd.controller import Controller
port, log, delay, rest = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4:]
replies = {rest[i]: rest[i + 1] for i in range(0, len(rest), 2)}
class Logging:
    active = 0
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in replies:
            return replies[address]
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        Logging.active += 1
        most = Logging.active
        await asyncio.sleep(delay)
        most = max(most, Logging.active)
        Logging.active -= 1
        with open(log, 'a') as f:
            f.write(f'{session.peer[1]} {envelope.rcpt_tos[0]} {most}\n')
        return '250 OK'
controller = Controller(Logging(), hostname='127.0.0.1', port=port)
controller.start()
signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
threading.Event().wait()
)";

using test_support::free_port;
using test_support::accepts_connections;

/// One message as the sink logged it.
struct Arrival {
    int peer_port = 0;       ///< our end of the connection it came on
    std::string recipient;
    int in_data = 0;         ///< messages in DATA at once while it was
};

/// The logging sink, started on a free port and stopped by its pid.
class LoggingSink {
public:
    LoggingSink(const std::filesystem::path& dir, double delay_seconds,
                std::vector<std::pair<std::string, std::string>> replies = {}, std::uint16_t port = 0)
        : port_(port ? port : free_port()), log_(dir / "arrivals.log") {
        std::vector<std::string> args{"/usr/bin/python3", "-c", logging_sink_script, std::to_string(port_),
                                      log_.string(), std::to_string(delay_seconds)};
        for (const auto& [to, reply] : replies) args.insert(args.end(), {to, reply});
        child_ = std::make_unique<test_support::Child>(args);
        child_->close_stdin();
        auto deadline = std::chrono::steady_clock::now() + 15s;
        while (!accepts_connections(port_)) {
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("aiosmtpd did not start");
            std::this_thread::sleep_for(50ms);
        }
    }
    ~LoggingSink() {
        child_->signal(SIGTERM);
        child_->wait(10s);
    }

    std::uint16_t port() const { return port_; }

    /// What arrived so far, in order. (The readiness probe above opened a
    /// connection too, but sent nothing: it is not in the log.)
    std::vector<Arrival> arrivals() const {
        std::ifstream in(log_);
        std::vector<Arrival> out;
        Arrival a;
        while (in >> a.peer_port >> a.recipient >> a.in_data) out.push_back(a);
        return out;
    }

private:
    std::uint16_t port_;
    std::filesystem::path log_;
    std::unique_ptr<test_support::Child> child_;
};

server::SmtpConfig relay(std::uint16_t port, std::size_t connections, std::size_t per_connection = 20) {
    server::SmtpConfig c;
    c.url = "smtp://127.0.0.1:" + std::to_string(port);
    c.from = "Kalends <calendar@example.org>";
    c.tls = "none";
    c.timeout = std::chrono::seconds(20);
    c.connections = connections;
    c.messages_per_connection = per_connection;
    return c;
}

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// Queues one mail job per recipient, due now, in this order.
void queue_mail(ServerFixture& f, const std::vector<std::string>& recipients) {
    std::vector<caldav::NewJob> jobs;
    for (const auto& to : recipients) {
        caldav::OutgoingMail m{0, "", to, "calendar@example.org",
                               "From: calendar@example.org\r\nTo: " + to + "\r\nSubject: Reminder\r\n\r\nSoon.\r\n"};
        jobs.push_back({std::string(caldav::mail_job_kind), 0, now_seconds(), caldav::mail_job_payload(m)});
    }
    BOOST_REQUIRE(f.store->enqueue_jobs(jobs) == caldav::StoreStatus::ok);
}

std::vector<std::string> addresses(const std::string& prefix, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i) + "@example.com");
    return out;
}

std::set<int> connections_of(const std::vector<Arrival>& arrivals) {
    std::set<int> out;
    for (const auto& a : arrivals) out.insert(a.peer_port);
    return out;
}

std::multiset<std::string> recipients_of(const std::vector<Arrival>& arrivals) {
    std::multiset<std::string> out;
    for (const auto& a : arrivals) out.insert(a.recipient);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_sessions)

BOOST_AUTO_TEST_CASE(several_messages_travel_over_one_connection_and_each_job_is_done_once) {
    ServerFixture f;
    test_support::TempDir d;
    LoggingSink sink(d.path(), 0);
    queue_mail(f, addresses("r", 6));
    server::MailWorker worker(*f.store, *f.store, relay(sink.port(), 1));
    BOOST_TEST(worker.run_once(now_seconds()) == 6u);
    auto got = sink.arrivals();
    BOOST_TEST(got.size() == 6u);
    BOOST_TEST(connections_of(got).size() == 1u);
    auto to = addresses("r", 6);
    BOOST_TEST((recipients_of(got) == std::multiset<std::string>(to.begin(), to.end())));
    BOOST_TEST(f.store->list_jobs(caldav::mail_job_kind).empty());
    // The next pass finds nothing to send and sends nothing again.
    BOOST_TEST(worker.run_once(now_seconds() + 1) == 0u);
    BOOST_TEST(sink.arrivals().size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_connection_carries_at_most_messages_per_connection) {
    ServerFixture f;
    test_support::TempDir d;
    LoggingSink sink(d.path(), 0);
    queue_mail(f, addresses("r", 5));
    server::MailWorker worker(*f.store, *f.store, relay(sink.port(), 1, 2));
    BOOST_TEST(worker.run_once(now_seconds()) == 5u);
    auto got = sink.arrivals();
    BOOST_TEST(got.size() == 5u);
    BOOST_TEST(connections_of(got).size() == 3u);  // 2 + 2 + 1
}

BOOST_AUTO_TEST_CASE(no_more_connections_than_configured_send_at_once) {
    ServerFixture f;
    test_support::TempDir d;
    LoggingSink sink(d.path(), 0.3);  // each message spends 0.3 s in DATA
    queue_mail(f, addresses("r", 12));
    server::MailWorker worker(*f.store, *f.store, relay(sink.port(), 3));
    auto started = std::chrono::steady_clock::now();
    BOOST_TEST(worker.run_once(now_seconds()) == 12u);
    auto took = std::chrono::steady_clock::now() - started;
    auto got = sink.arrivals();
    BOOST_REQUIRE(got.size() == 12u);
    int most = 0;
    for (const auto& a : got) most = std::max(most, a.in_data);
    BOOST_TEST(most <= 3);
    BOOST_TEST(most >= 2);  // they did overlap
    BOOST_TEST(connections_of(got).size() <= 3u);
    auto to = addresses("r", 12);
    BOOST_TEST((recipients_of(got) == std::multiset<std::string>(to.begin(), to.end())));
    // 12 × 0.3 s one after the other would take 3.6 s.
    BOOST_TEST(std::chrono::duration<double>(took).count() < 3.3);
}

BOOST_AUTO_TEST_CASE(a_refused_and_a_deferred_message_affect_only_themselves) {
    ServerFixture f;
    test_support::TempDir d;
    LoggingSink sink(d.path(), 0,
                     {{"refused@example.com", "550 5.1.1 no such user"}, {"later@example.com", "451 4.3.0 try later"}});
    queue_mail(f, {"a@example.com", "refused@example.com", "b@example.com", "later@example.com", "c@example.com"});
    server::MailWorker worker(*f.store, *f.store, relay(sink.port(), 1));
    BOOST_TEST(worker.run_once(now_seconds()) == 3u);
    auto got = sink.arrivals();
    BOOST_TEST((recipients_of(got) ==
                std::multiset<std::string>{"a@example.com", "b@example.com", "c@example.com"}));
    auto left = f.store->list_jobs(caldav::mail_job_kind);
    BOOST_REQUIRE(left.size() == 2u);
    for (const auto& job : left) {
        auto m = caldav::mail_of_job(job.owner_id, job.payload);
        BOOST_REQUIRE(m);
        BOOST_TEST_CONTEXT(m->recipient) {
            BOOST_TEST(job.attempts == 1);
            BOOST_TEST(job.failed_at.has_value() == (m->recipient == "refused@example.com"));
            BOOST_TEST(job.lease_until == 0);  // given back, not left leased
        }
    }
    // Only the deferred message is tried again, and nothing else is resent.
    BOOST_TEST(worker.run_once(now_seconds() + 3600) == 0u);
    BOOST_TEST(sink.arrivals().size() == 3u);
    auto again = f.store->list_jobs(caldav::mail_job_kind);
    BOOST_REQUIRE(again.size() == 2u);
    for (const auto& job : again)
        if (!job.failed_at) BOOST_TEST(job.attempts == 2);
}

BOOST_AUTO_TEST_CASE(a_session_reconnects_when_the_relay_was_restarted_between_messages) {
    test_support::TempDir d;
    std::filesystem::create_directories(d.path() / "first");
    std::filesystem::create_directories(d.path() / "second");
    auto first = std::make_unique<LoggingSink>(d.path() / "first", 0);
    const auto port = first->port();
    server::SmtpSession session(relay(port, 1));
    BOOST_TEST(session.send("calendar@example.org", "a@example.com", "Subject: 1\r\n\r\n1\r\n").ok);
    BOOST_TEST(session.send("calendar@example.org", "b@example.com", "Subject: 2\r\n\r\n2\r\n").ok);
    BOOST_TEST(session.connections_opened() == 1u);
    first.reset();  // the relay goes away with our connection open
    LoggingSink second(d.path() / "second", 0, {}, port);
    auto r = session.send("calendar@example.org", "c@example.com", "Subject: 3\r\n\r\n3\r\n");
    BOOST_TEST(r.ok, r.error);
    BOOST_TEST(session.connections_opened() == 2u);
    BOOST_TEST(second.arrivals().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

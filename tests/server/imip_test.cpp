// Outgoing iMIP (RFC 6047, issue 6 §5) end to end: the kalends binary sends
// invitations through a real SMTP sink (python3-aiosmtpd on 127.0.0.1), keeps
// them queued while the relay is down and across a restart.
#include "src/mail/imip_mail.hpp"

#define BOOST_TEST_MODULE imip
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ical/itip.hpp"
#include "src/mail/mail_worker.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using test_support::Child;
using test_support::TempDir;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

/// iCalendar text with folded lines joined (RFC 5545 §3.1).
std::string unfolded(std::string text) {
    for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
        text.erase(at, 3);
    return text;
}

using test_support::free_port;
using test_support::accepts_connections;

/// How the sink answers one recipient instead of accepting its message.
struct SmtpRefusal {
    std::string recipient;  ///< the RCPT TO address
    std::string phase;      ///< "RCPT" (refused at RCPT TO) or "DATA" (after the message)
    std::string reply;      ///< the SMTP reply line, e.g. "550 5.1.1 no such user"
};

/// The sink with refusals: aiosmtpd's Mailbox handler with RCPT and DATA hooks
/// that answer the listed recipients with their reply. argv: port, maildir,
/// then phase, recipient, reply for each refusal.
const char* const refusing_sink_script = R"(
import sys, signal, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
port, maildir, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
refusals = {(rest[i], rest[i + 1]): rest[i + 2] for i in range(0, len(rest), 3)}
class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, options):
        if ('RCPT', address) in refusals:
            return refusals[('RCPT', address)]
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if ('DATA', address) in refusals:
                return refusals[('DATA', address)]
        return await super().handle_DATA(server, session, envelope)
controller = Controller(Refusing(maildir), hostname='127.0.0.1', port=port)
controller.start()
signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
threading.Event().wait()
)";

/// python3-aiosmtpd storing every message it accepts in a Maildir; started and
/// stopped (by its own pid) by the test. With `refusals`, those recipients
/// are answered with their reply instead.
class SmtpSink {
public:
    SmtpSink(std::uint16_t port, std::filesystem::path maildir, std::vector<SmtpRefusal> refusals = {})
        : port_(port), maildir_(std::move(maildir)), refusals_(std::move(refusals)) {}
    ~SmtpSink() { stop(); }

    void start() {
        if (refusals_.empty()) {
            child_ = std::make_unique<Child>(std::vector<std::string>{
                "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port_),
                "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
        } else {
            for (const char* sub : {"", "new", "cur", "tmp"})
                std::filesystem::create_directories(maildir_ / sub);
            std::vector<std::string> args{"/usr/bin/python3", "-c", refusing_sink_script,
                                          std::to_string(port_), maildir_.string()};
            for (const auto& r : refusals_) args.insert(args.end(), {r.phase, r.recipient, r.reply});
            child_ = std::make_unique<Child>(args);
        }
        child_->close_stdin();
        auto deadline = std::chrono::steady_clock::now() + 15s;
        while (!accepts_connections(port_)) {
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("aiosmtpd did not start");
            std::this_thread::sleep_for(50ms);
        }
    }

    void stop() {
        if (!child_) return;
        child_->signal(SIGTERM);
        child_->wait(10s);
        child_.reset();
    }

    /// The messages received so far, oldest first.
    std::vector<std::string> messages() const {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(maildir_ / "new", ec))
            files.push_back(e.path());
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
            return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b);
        });
        std::vector<std::string> out;
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::stringstream s;
            s << in.rdbuf();
            out.push_back(s.str());
        }
        return out;
    }

    /// Waits until `count` messages arrived; false after `timeout`.
    bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (messages().size() < count) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(100ms);
        }
        return true;
    }

private:
    std::uint16_t port_;
    std::filesystem::path maildir_;
    std::vector<SmtpRefusal> refusals_;
    std::unique_ptr<Child> child_;
};

/// `kalends serve` with a config file, on 127.0.0.1 and a free port.
class Kalends {
public:
    Kalends(const std::string& config, const std::string& data) {
        child_ = std::make_unique<Child>(
            std::vector<std::string>{test_support::kalends_bin(), "serve", "--config", config,
                                     "--data", data, "--listen", "127.0.0.1:0"});
        child_->close_stdin();
        auto port = child_->stderr_after("listening on http://127.0.0.1:", 15s);
        if (!port) throw std::runtime_error("kalends did not start: " + child_->err());
        port_ = static_cast<std::uint16_t>(std::stoi(*port));
    }
    ~Kalends() { stop(); }

    int stop() {
        if (!child_) return -1;
        child_->signal(SIGTERM);
        auto code = child_->wait(10s);
        child_.reset();
        return code.value_or(-1);
    }

    test_support::HttpReply request(const std::string& method, const std::string& path,
                                    const std::string& body = {}, const std::string& user = "alice",
                                    const std::string& headers = {}) {
        test_support::HttpClient c(port_);
        std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " +
                        test_support::basic_auth(user, user + "-pw") + "\r\n" + headers;
        if (!body.empty())
            r += "Content-Type: text/calendar\r\nContent-Length: " + std::to_string(body.size()) +
                 "\r\n";
        c.send(r + "\r\n" + body);
        auto reply = c.read_reply();
        if (!reply) throw std::runtime_error(method + " " + path + ": no reply");
        return *reply;
    }

    Child& child() { return *child_; }

private:
    std::unique_ptr<Child> child_;
    std::uint16_t port_ = 0;
};

std::string event(int sequence, const std::string& start) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends "
           "tests//EN\r\nBEGIN:VEVENT\r\nUID:imip-e2e-1\r\n"
           "DTSTAMP:20261101T090000Z\r\nDTSTART:" +
           start +
           "\r\nDURATION:PT1H\r\nSUMMARY:Budget review\r\n"
           "LOCATION:Room 12\r\nSEQUENCE:" +
           std::to_string(sequence) +
           "\r\n"
           "ORGANIZER;CN=Alice Example:mailto:alice@example.com\r\n"
           "ATTENDEE;CN=Alice Example;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
           "ATTENDEE;CN=Carol "
           "Outside;RSVP=TRUE:mailto:carol@outside.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// The iTIP message and text part of a received email.
struct Received {
    ical::ItipSummary itip;
    std::string text;
};

Received read_mail(const std::string& raw) {
    auto mail = server::parse_received_mail(raw);
    BOOST_REQUIRE(mail);
    BOOST_REQUIRE(!mail->calendars.empty());
    auto summary = ical::itip_summary(mail->calendars.front());
    BOOST_REQUIRE(summary);
    return {*summary, mail->text};
}

std::string write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
    return p.string();
}

/// A config file in `dir` for the relay on `port` (plain SMTP, quick retries).
std::string relay_config(const std::filesystem::path& dir, std::uint16_t port) {
    return write_file(dir / "k.conf", "[smtp]\nurl = smtp://127.0.0.1:" + std::to_string(port) +
                                          "\nfrom = Kalends <calendar@example.org>\ntls = none\n"
                                          "retry-min-seconds = 1\nretry-max-seconds = 2\n");
}

/// The user alice (alice@example.com, password alice-pw) in the data directory `data`.
void add_alice(const std::string& data) {
    BOOST_REQUIRE(
        *test_support::run_kalends({"user", "add", "alice", "--email", "alice@example.com",
                                    "--password-stdin", "--data", data},
                                   "alice-pw\n")
             ->wait() == 0);
}

/// A started SMTP sink on a free port, a config that relays to it, and the
/// user alice in a fresh data directory: what each end-to-end case starts from.
struct RelaySite {
    TempDir d;
    std::string data = (d.path() / "data").string();
    std::uint16_t port = free_port();
    SmtpSink sink{port, d.path() / "maildir"};
    std::string config = relay_config(d.path(), port);

    RelaySite() {
        sink.start();
        add_alice(data);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(imip_end_to_end)

BOOST_FIXTURE_TEST_CASE(invitation_reaches_the_relay_waits_while_it_is_down_and_survives_a_restart,
                        RelaySite) {
    auto server = std::make_unique<Kalends>(config, data);
    const std::string href = "/dav/calendars/alice/calendar/budget.ics";
    BOOST_TEST(server->request("PUT", href, event(0, "20261201T090000Z")).status == 201);
    BOOST_REQUIRE(sink.wait_for(1, 20s));
    auto first = sink.messages().front();
    // RFC 6047 §2.4 and §3: headers and the two alternatives.
    BOOST_TEST(contains(first, "From: Alice Example via Kalends <calendar@example.org>"));
    BOOST_TEST(contains(first, "Reply-To: Alice Example <alice@example.com>"));
    BOOST_TEST(contains(first, "To: Carol Outside <carol@outside.test>"));
    BOOST_TEST(contains(first, "Subject: Invitation: Budget review @ 2026-12-01 09:00-10:00 UTC"));
    BOOST_TEST(contains(first, "MIME-Version: 1.0"));
    BOOST_TEST(contains(first, "Message-Id: <"));
    BOOST_TEST(contains(first, "Date: "));
    BOOST_TEST(contains(first, "multipart/alternative"));
    BOOST_TEST(contains(first, "text/calendar; charset=utf-8; method=REQUEST"));
    BOOST_TEST(contains(first, "X-MailFrom: calendar@example.org"));
    BOOST_TEST(contains(first, "X-RcptTo: carol@outside.test"));
    auto invitation = read_mail(first);
    BOOST_TEST(invitation.itip.method == "REQUEST");
    BOOST_TEST(invitation.itip.organizer.address == "mailto:alice@example.com");
    BOOST_TEST(invitation.itip.attendees.size() == 2u);
    BOOST_TEST(invitation.itip.attendees.at(1).address == "mailto:carol@outside.test");
    BOOST_TEST(invitation.itip.sequence.value_or(-1) == 0);
    BOOST_TEST(contains(invitation.text, "Alice Example has invited you to:"));
    BOOST_TEST(contains(invitation.text, "What:      Budget review"));
    BOOST_TEST(contains(invitation.text, "When:      2026-12-01 09:00-10:00 UTC"));
    BOOST_TEST(contains(invitation.text, "Where:     Room 12"));
    BOOST_TEST(contains(invitation.text, "Organizer: Alice Example <alice@example.com>"));

    // The organizer's copy says the message was sent (RFC 6638 §3.2.9: 1.1).
    auto copy = server->request("GET", href);
    BOOST_TEST(copy.status == 200);
    BOOST_TEST(contains(unfolded(copy.body), "SCHEDULE-STATUS=1.1:mailto:carol@outside.test"));

    // Relay down: the update waits in the queue and failures are logged.
    sink.stop();
    BOOST_TEST(server->request("PUT", href, event(1, "20261202T090000Z")).status == 204);
    BOOST_TEST(server->child().wait_for_stderr("not sent (attempt 2)", 20s));
    BOOST_TEST(sink.messages().size() == 1u);
    BOOST_TEST(server->stop() == 0);
    {
        server::SqliteOptions o;
        o.file = std::filesystem::path(data) / "kalends.sqlite3";
        auto store = server::SqliteStore::open(o);
        auto queued = store->list_mail();
        BOOST_REQUIRE(queued.size() == 1u);
        BOOST_TEST(queued.front().recipient == "carol@outside.test");
        BOOST_TEST(queued.front().attempts >= 2);
        BOOST_TEST(!queued.front().last_error.empty());
        store->close();
    }

    auto listed = test_support::run_kalends({"imip", "queue", "--data", data});
    BOOST_TEST(*listed->wait() == 0);
    BOOST_TEST(contains(listed->out(), "carol@outside.test\timip-e2e-1\tattempts="));

    // Relay and server back: the queued update goes out.
    sink.start();
    server = std::make_unique<Kalends>(config, data);
    BOOST_REQUIRE(sink.wait_for(2, 20s));
    auto update = read_mail(sink.messages().at(1));
    BOOST_TEST(update.itip.method == "REQUEST");
    BOOST_TEST(update.itip.sequence.value_or(-1) == 1);
    BOOST_TEST(update.itip.when == "2026-12-02 09:00-10:00 UTC");
    BOOST_TEST(contains(sink.messages().at(1), "Subject: Updated invitation: Budget review"));

    // Deleting the event cancels it by email too.
    BOOST_TEST(server->request("DELETE", href).status == 204);
    BOOST_REQUIRE(sink.wait_for(3, 20s));
    auto cancel = read_mail(sink.messages().at(2));
    BOOST_TEST(cancel.itip.method == "CANCEL");
    BOOST_TEST(contains(sink.messages().at(2), "method=CANCEL"));
    BOOST_TEST(server->stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_put_refused_with_412_queues_and_sends_no_mail, RelaySite) {
    Kalends server(config, data);
    const std::string href = "/dav/calendars/alice/calendar/budget.ics";
    BOOST_TEST(server.request("PUT", href, event(0, "20261201T090000Z")).status == 201);
    BOOST_REQUIRE(sink.wait_for(1, 20s));
    // An update over a version the client no longer has: refused before
    // anything is stored, so its invitation update is neither queued nor sent.
    auto refused = server.request("PUT", href, event(1, "20261202T090000Z"), "alice",
                                  "If-Match: \"not-the-etag\"\r\n");
    BOOST_TEST(refused.status == 412);
    // The next accepted update is the second mail: nothing went out between.
    BOOST_TEST(server.request("PUT", href, event(2, "20261203T090000Z")).status == 204);
    BOOST_REQUIRE(sink.wait_for(2, 20s));
    BOOST_TEST(server.stop() == 0);
    auto sent = sink.messages();
    BOOST_TEST(sent.size() == 2u);
    BOOST_TEST(read_mail(sent.at(1)).itip.sequence.value_or(-1) == 2);
    server::SqliteOptions o;
    o.file = std::filesystem::path(data) / "kalends.sqlite3";
    auto store = server::SqliteStore::open(o);
    BOOST_TEST(store->list_mail().empty());
    store->close();
}

BOOST_AUTO_TEST_CASE(tls_required_never_sends_in_clear_to_a_relay_without_starttls) {
    TempDir d;
    auto port = free_port();
    SmtpSink sink(port, d.path() / "maildir");
    sink.start();
    server::SqliteOptions o;
    o.file = d.path() / "k.sqlite3";
    auto store = server::SqliteStore::open(o);
    caldav::OutgoingMail m;
    m.recipient = "carol@outside.test";
    m.envelope_sender = "calendar@example.org";
    m.uid = "tls-1";
    m.message =
        "From: calendar@example.org\r\nTo: carol@outside.test\r\nSubject: t\r\n\r\nbody\r\n";
    caldav::WriteSet set;
    set.mail = {m};
    BOOST_REQUIRE(store->commit(set).status == caldav::StoreStatus::ok);
    server::SmtpConfig smtp;
    smtp.url = "smtp://127.0.0.1:" + std::to_string(port);
    smtp.from = "calendar@example.org";
    smtp.tls = "required";  // aiosmtpd offers no STARTTLS here
    smtp.timeout = std::chrono::seconds(10);
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    {
        server::MailWorker worker(*store, *store, smtp);
        BOOST_TEST(worker.run_once(now) == 0u);
    }
    auto queued = store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].attempts == 1);
    BOOST_TEST(!queued[0].last_error.empty());
    BOOST_TEST(sink.messages().empty());
    // The same relay with tls = none (loopback) takes it.
    smtp.tls = "none";
    server::MailWorker worker(*store, *store, smtp);
    BOOST_TEST(worker.run_once(now + 3600) == 1u);
    BOOST_TEST(store->list_mail().empty());
    BOOST_REQUIRE(sink.wait_for(1, 10s));
    BOOST_TEST(contains(sink.messages().front(), "Subject: t"));
    store->close();
}

BOOST_FIXTURE_TEST_CASE(an_answer_link_from_the_sent_invitation_works_after_a_restart, RelaySite) {
    std::ofstream(config, std::ios::app)
        << "[imip]\npublic-url = https://cal.example.org/\nlink-days = 7\n";
    auto server = std::make_unique<Kalends>(config, data);
    const std::string href = "/dav/calendars/alice/calendar/budget.ics";
    BOOST_TEST(server->request("PUT", href, event(0, "20261201T090000Z")).status == 201);
    BOOST_REQUIRE(sink.wait_for(1, 20s));
    auto text = read_mail(sink.messages().at(0)).text;
    const std::string base = "https://cal.example.org/rsvp/";
    auto start = text.find(base);
    BOOST_REQUIRE(start != std::string::npos);
    start += base.size();
    auto token = text.substr(start, text.find('?', start) - start);
    BOOST_TEST(contains(text, base + token + "?partstat=DECLINED"));
    // The generated key is kept in the data directory: links survive a restart.
    auto key = std::filesystem::path(data) / "rsvp-link.key";
    BOOST_TEST(std::filesystem::file_size(key) == 32u);
    bool others_may_read =
        (std::filesystem::status(key).permissions() &
         (std::filesystem::perms::group_read | std::filesystem::perms::others_read)) !=
        std::filesystem::perms::none;
    BOOST_TEST(!others_may_read);
    BOOST_TEST(server->stop() == 0);
    server = std::make_unique<Kalends>(config, data);
    BOOST_TEST(server->request("GET", "/rsvp/" + token).status == 200);
    auto answered = server->request("POST", "/rsvp/" + token, "partstat=DECLINED");
    BOOST_TEST(answered.status == 200, answered.body);
    auto copy = unfolded(server->request("GET", href).body);
    BOOST_TEST(contains(copy, "PARTSTAT=DECLINED"), copy);
    BOOST_TEST(server->stop() == 0);
}

// Issue 22 §10: a 5xx to RCPT TO or to the message (RFC 5321 §4.2.1,
// permanent) fails that mail at once, and the organizer's copy says 5.1 for
// that attendee; a 4xx is retried; the other attendees' mail goes out.
BOOST_AUTO_TEST_CASE(a_recipient_the_relay_refuses_for_good_fails_at_once_and_a_4xx_is_retried) {
    TempDir d;
    std::string data = (d.path() / "data").string();
    auto port = free_port();
    SmtpSink sink(port, d.path() / "maildir",
                  {{"nobody@outside.test", "RCPT", "550 5.1.1 no such user"},
                   {"dave@outside.test", "DATA", "554 5.7.1 message refused"},
                   {"erin@outside.test", "RCPT", "554 5.7.1 relay access denied"},
                   {"later@outside.test", "RCPT", "451 4.3.0 try again later"}});
    sink.start();
    add_alice(data);
    Kalends server(relay_config(d.path(), port), data);
    const std::string href = "/dav/calendars/alice/calendar/refused.ics";
    std::string body = event(0, "20261201T090000Z");
    std::string others;
    for (std::string who : {"nobody", "dave", "erin", "later"})
        others += "ATTENDEE;RSVP=TRUE:mailto:" + who + "@outside.test\r\n";
    body.insert(body.find("END:VEVENT"), others);
    BOOST_TEST(server.request("PUT", href, body).status == 201);
    BOOST_REQUIRE(sink.wait_for(1, 20s));
    BOOST_TEST(server.child().wait_for_stderr("not sent (attempt 2)", 20s));
    BOOST_TEST(sink.messages().size() == 1u);
    BOOST_TEST(contains(sink.messages().front(), "X-RcptTo: carol@outside.test"));
    auto copy = unfolded(server.request("GET", href).body);
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:carol@outside.test"), copy);
    for (std::string who : {"nobody", "dave", "erin"})
        BOOST_TEST(contains(copy, "SCHEDULE-STATUS=5.1:mailto:" + who + "@outside.test"), copy);
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:later@outside.test"), copy);
    BOOST_TEST(server.stop() == 0);
    server::SqliteOptions o;
    o.file = std::filesystem::path(data) / "kalends.sqlite3";
    auto store = server::SqliteStore::open(o);
    auto queued = store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued.front().recipient == "later@outside.test");
    BOOST_TEST(queued.front().attempts >= 2);
    store->close();
}

BOOST_AUTO_TEST_SUITE_END()

// Issue 25 §9: `kalends share` tells the sharee by the e-mail a share over
// CalDAV or the JSON API sends (src/mail/sharing_mail.cpp), through the queue
// the running server's mail worker sends from.
BOOST_AUTO_TEST_SUITE(share_command_mail)

BOOST_FIXTURE_TEST_CASE(kalends_share_emails_the_sharee_once_per_new_permission, RelaySite) {
    BOOST_REQUIRE(*test_support::run_kalends({"user", "add", "bob", "--email", "bob@example.com",
                                              "--password-stdin", "--data", data},
                                             "bob-pw\n")
                       ->wait() == 0);
    Kalends server(config, data);
    BOOST_REQUIRE(server.request("PROPFIND", "/dav/calendars/alice/", {}, "alice", "Depth: 0\r\n").status == 207);
    auto share = [&](const std::string& permission) {
        auto run = test_support::run_kalends(
            {"share", "alice/calendar", "bob", "--permission", permission, "--config", config, "--data", data});
        BOOST_TEST_REQUIRE(*run->wait() == 0, run->err());
    };
    share("edit");
    BOOST_REQUIRE(sink.wait_for(1, 20s));
    auto first = unfolded(sink.messages().front());
    BOOST_TEST(contains(first, "X-RcptTo: bob@example.com"), first);
    BOOST_TEST(contains(first, "shared the calendar"), first);
    BOOST_TEST(contains(first, "Permission: edit (see, add and change its events)"), first);
    BOOST_TEST(contains(first, "Auto-Submitted: auto-generated"), first);
    // The same permission again changes nothing and tells nobody; a new one is told.
    share("edit");
    share("view");
    BOOST_REQUIRE(sink.wait_for(2, 20s));
    std::this_thread::sleep_for(2s);  // past the worker's poll: nothing more comes
    auto all = sink.messages();
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(contains(unfolded(all.back()), "Permission: view (see its events)"));
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

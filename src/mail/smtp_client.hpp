// Sending messages to the SMTP relay with libcurl (smtp://, smtps://,
// STARTTLS, AUTH): no SMTP protocol code of our own. One connection carries
// several messages (RFC 5321 §3.3: a new MAIL FROM after the end of the
// previous message's DATA), and a pool bounds how many connections are open.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/config/config.hpp"

namespace server {

/// The outcome of one delivery attempt.
struct SmtpResult {
    bool ok = false;
    bool permanent = false;  ///< the relay refused this message for good (5xx to RCPT or DATA)
    std::string error;       ///< curl's message and the last SMTP reply code
    long reply = 0;          ///< that reply code; 0: the relay answered nothing
};

/// Hands `message` (CRLF line ends) for `recipient` to the relay in `smtp`,
/// MAIL FROM `envelope_sender`, on a connection of its own. Blocks up to
/// smtp.timeout. Never throws.
SmtpResult send_smtp(const SmtpConfig& smtp, const std::string& envelope_sender,
                     const std::string& recipient, const std::string& message);

/// One connection to the relay, reused for up to smtp.messages_per_connection
/// messages: each message is its own transaction (MAIL FROM, RCPT TO, DATA)
/// on it. After a failed message the connection is closed (QUIT), so the
/// next message starts on a fresh connection in a clean state rather than
/// after an RSET on one whose state we cannot see through libcurl. A
/// connection idle for longer than 30 s is not reused (relays close idle
/// ones). Not thread-safe: one thread uses a session at a time.
class SmtpSession {
public:
    explicit SmtpSession(SmtpConfig smtp);
    ~SmtpSession();
    SmtpSession(const SmtpSession&) = delete;
    SmtpSession& operator=(const SmtpSession&) = delete;

    /// Hands one message to the relay, on the open connection if there is
    /// one. When a reused connection turns out closed by the relay before it
    /// answered anything, the message is tried once more on a new one.
    /// Blocks up to smtp.timeout per try. Never throws.
    SmtpResult send(const std::string& envelope_sender, const std::string& recipient, const std::string& message);
    /// Connections this session opened so far (for tests and logs).
    std::size_t connections_opened() const { return connections_opened_; }
    /// Closes the connection, if any (QUIT); the next send opens a new one.
    void close();

private:
    /// One curl transfer on the current handle; `reused` tells whether it ran on an open connection.
    SmtpResult transfer(const std::string& envelope_sender, const std::string& recipient,
                        const std::string& message, bool& reused);

    SmtpConfig smtp_;
    void* curl_ = nullptr;  ///< CURL*, kept between messages: it holds the open connection
    std::size_t sent_on_connection_ = 0;
    std::size_t connections_opened_ = 0;
};

/// At most smtp.connections sessions, shared by the threads that send: send()
/// takes an idle session (or opens one while fewer exist), waiting while all
/// are busy, and puts it back afterwards. Thread-safe.
class SmtpPool {
public:
    explicit SmtpPool(SmtpConfig smtp);
    SmtpPool(const SmtpPool&) = delete;
    SmtpPool& operator=(const SmtpPool&) = delete;

    /// SmtpSession::send on a session of the pool. Never throws.
    SmtpResult send(const std::string& envelope_sender, const std::string& recipient, const std::string& message);
    /// Closes every idle connection (a worker that stops).
    void close_idle();

private:
    SmtpConfig smtp_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<SmtpSession>> idle_;
    std::size_t sessions_ = 0;  ///< idle and in use
};

}  // namespace server

// The mail queue's sender thread (iMIP, RFC 6047; issue 6 §5).
#include "src/mail/mail_worker.hpp"

#include <chrono>
#include <ctime>

#include "caldav/imip.hpp"
#include "src/mail/smtp_client.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

/// Messages taken per pass; the rest wait for the next one.
constexpr std::size_t batch_size = 16;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

MailWorker::MailWorker(SqliteStore& store, SmtpConfig smtp, caldav::Limits limits)
    : store_(store), smtp_(std::move(smtp)), limits_(limits) {}

MailWorker::~MailWorker() { stop(); }

void MailWorker::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { loop(); });
}

void MailWorker::poke() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
    }
    cv_.notify_all();
}

void MailWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::int64_t MailWorker::backoff_seconds(std::int64_t failures) const {
    std::int64_t delay = smtp_.retry_min.count();
    const std::int64_t most = smtp_.retry_max.count();
    for (std::int64_t i = 1; i < failures && delay < most; ++i) delay *= 2;
    return std::min(delay, most);
}

std::size_t MailWorker::run_once(std::int64_t now) {
    // A lease longer than one attempt: a message being sent is not taken
    // again, and one whose sender died is retried once the lease ends.
    const std::int64_t lease = smtp_.timeout.count() * 2 + 60;
    std::size_t sent = 0;
    for (const auto& m : store_.claim_due_mail(now, lease, batch_size)) {
        if (now - m.created_at >
            std::chrono::duration_cast<std::chrono::seconds>(smtp_.give_up).count()) {
            log::error("imip: giving up on mail " + std::to_string(m.id) + " to " + m.recipient +
                       " about " + m.uid + " after " + std::to_string(m.attempts) +
                       " attempts; last error: " + m.last_error);
            give_up(m);
            continue;
        }
        auto result = send_smtp(smtp_, m.envelope_sender, m.recipient, m.message);
        if (result.ok) {
            log::info("imip: sent mail " + std::to_string(m.id) + " to " + m.recipient + " about " +
                      m.uid);
            store_.delete_mail(m.id);
            ++sent;
        } else if (result.permanent) {
            log::error("imip: the relay refused mail " + std::to_string(m.id) + " to " +
                       m.recipient + " for good: " + result.error);
            give_up(m);
        } else {
            auto delay = backoff_seconds(m.attempts + 1);
            log::warn("imip: mail " + std::to_string(m.id) + " to " + m.recipient +
                      " not sent (attempt " + std::to_string(m.attempts + 1) +
                      "): " + result.error + "; retrying in " + std::to_string(delay) + " s");
            store_.mail_failed(m.id, now_seconds() + delay, result.error);
        }
    }
    return sent;
}

void MailWorker::give_up(const QueuedMail& m) {
    store_.delete_mail(m.id);
    // RFC 6638 §3.2.9: 5.1, could not be delivered, replaces 1.1 on the copy.
    if (m.principal_id > 0 && !m.uid.empty())
        caldav::record_schedule_status(store_, limits_, m.principal_id, m.uid, m.recipient, "5.1");
}

void MailWorker::loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (stopping_) return;
        }
        try {
            run_once(now_seconds());
        } catch (const std::exception& e) {
            // The store may be busy or closing; the queue is durable, so the
            // next pass picks up where this one stopped.
            log::error(std::string("imip: mail queue pass failed: ") + e.what());
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || poked_; });
        poked_ = false;
    }
}

}  // namespace server

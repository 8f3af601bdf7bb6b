// SMTP submission through libcurl's easy interface: a session keeps its
// easy handle, and with it the open connection, between messages.
#include "src/mail/smtp_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace server {

namespace {

struct Upload {
    const std::string& data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

curl_usessl tls_mode(const std::string& tls) {
    if (tls == "required") return CURLUSESSL_ALL;
    if (tls == "none") return CURLUSESSL_NONE;
    return CURLUSESSL_TRY;  // starttls: upgrade whenever the relay offers it
}

/// RFC 5321 §4.2.1: a 5yz reply is a permanent negative completion. One to
/// RCPT (the mailbox is refused) or to DATA and the end of the message (the
/// content is refused) is about this message: sending it again gets the same
/// answer. A 5yz to the greeting, EHLO, AUTH or MAIL FROM is about our own
/// setup (address, credentials) and may pass once the operator fixes it;
/// 4yz, connection and TLS failures may pass later. libcurl names the command
/// in its error ("RCPT failed: 550", "DATA failed: 554"); a refusal after the
/// message body is CURLE_WEIRD_SERVER_REPLY with no text of its own.
bool refused_for_good(CURLcode code, long reply, const char* error) {
    if (reply < 500 || reply > 599) return false;
    std::string_view text(error);
    if (text.starts_with("RCPT failed") || text.starts_with("DATA failed")) return true;
    return code == CURLE_WEIRD_SERVER_REPLY && text.empty();
}

/// The settings every transfer of a session shares.
void configure(CURL* c, const SmtpConfig& smtp) {
    curl_easy_setopt(c, CURLOPT_URL, smtp.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(tls_mode(smtp.tls)));
    if (!smtp.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, smtp.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, smtp.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, 30L);  // idle longer: the relay may have closed it
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(smtp.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(std::min<std::int64_t>(smtp.timeout.count(), 30)));
}

}  // namespace

SmtpSession::SmtpSession(SmtpConfig smtp) : smtp_(std::move(smtp)) {}

SmtpSession::~SmtpSession() { close(); }

void SmtpSession::close() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));  // sends QUIT on an open connection
    curl_ = nullptr;
    sent_on_connection_ = 0;
}

SmtpResult SmtpSession::send(const std::string& envelope_sender, const std::string& recipient,
                             const std::string& message) {
    if (sent_on_connection_ >= std::max<std::size_t>(smtp_.messages_per_connection, 1)) close();
    bool reused = false;
    auto result = transfer(envelope_sender, recipient, message, reused);
    // The relay closed an idle connection we took for open: nothing of this
    // message reached it, so it goes again at once on a new connection.
    if (!result.ok && reused && result.reply == 0) {
        close();
        result = transfer(envelope_sender, recipient, message, reused);
    }
    if (result.ok) {
        ++sent_on_connection_;
    } else {
        close();  // a clean state for the next message: no RSET on a connection we cannot see
    }
    return result;
}

SmtpResult SmtpSession::transfer(const std::string& envelope_sender, const std::string& recipient,
                                 const std::string& message, bool& reused) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    SmtpResult result;
    if (!curl_) curl_ = curl_easy_init();
    if (!curl_) {
        result.error = "curl_easy_init failed";
        return result;
    }
    CURL* c = static_cast<CURL*>(curl_);
    std::string from = "<" + envelope_sender + ">";
    std::string to = "<" + recipient + ">";
    std::unique_ptr<curl_slist, ListDeleter> rcpt(curl_slist_append(nullptr, to.c_str()));
    Upload upload{message};
    char error[CURL_ERROR_SIZE] = {};
    configure(c, smtp_);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    CURLcode code = curl_easy_perform(c);
    long reply = 0, opened = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened);
    // The handle outlives these locals: it must not point at them.
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(c, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    reused = opened == 0;
    connections_opened_ += static_cast<std::size_t>(opened);
    if (code == CURLE_OK) {
        result.ok = true;
        return result;
    }
    result.reply = reply;
    result.error = std::string(*error ? error : curl_easy_strerror(code));
    if (reply > 0) result.error += " (SMTP " + std::to_string(reply) + ")";
    result.permanent = refused_for_good(code, reply, error);
    return result;
}

SmtpResult send_smtp(const SmtpConfig& smtp, const std::string& envelope_sender, const std::string& recipient,
                     const std::string& message) {
    SmtpSession session(smtp);
    return session.send(envelope_sender, recipient, message);
}

SmtpPool::SmtpPool(SmtpConfig smtp) : smtp_(std::move(smtp)) {}

SmtpResult SmtpPool::send(const std::string& envelope_sender, const std::string& recipient,
                          const std::string& message) {
    std::unique_ptr<SmtpSession> session;
    {
        std::unique_lock lock(mutex_);
        const auto most = std::max<std::size_t>(smtp_.connections, 1);
        freed_.wait(lock, [&] { return !idle_.empty() || sessions_ < most; });
        if (!idle_.empty()) {
            session = std::move(idle_.back());
            idle_.pop_back();
        } else {
            ++sessions_;
        }
    }
    SmtpResult result;
    try {
        if (!session) session = std::make_unique<SmtpSession>(smtp_);
        result = session->send(envelope_sender, recipient, message);
    } catch (const std::exception& e) {  // bad_alloc: the slot is given back all the same
        result.error = e.what();
    }
    {
        std::lock_guard lock(mutex_);
        if (session) idle_.push_back(std::move(session));
        else --sessions_;
    }
    freed_.notify_one();
    return result;
}

void SmtpPool::close_idle() {
    std::lock_guard lock(mutex_);
    for (auto& s : idle_) s->close();
}

}  // namespace server

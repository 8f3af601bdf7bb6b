// ImipGateway over the configured relay: composes RFC 6047 email for the
// scheduling code and holds each user to a number of messages per minute.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "caldav/imip.hpp"
#include "src/config/config.hpp"

namespace server {

/// caldav::ImipGateway for a configured [smtp] section. Thread-safe.
class ImipComposer final : public caldav::ImipGateway {
public:
    /// A clock for the per-minute allowance (tests inject one).
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    /// `per_minute` messages per user at most (0: none at all).
    ImipComposer(SmtpConfig smtp, unsigned per_minute, Clock clock = {});

    /// Puts answer links (issue 6 §5) signed with `secret` into every REQUEST
    /// from now on; `now` gives the wall clock for their expiry (tests inject
    /// one). Call before composing starts.
    void set_answer_links(ImipLinkConfig links, std::string secret,
                          std::function<std::int64_t()> now = {});

    std::optional<caldav::OutgoingMail> compose(const caldav::PrincipalRecord& sender,
                                                std::string_view recipient,
                                                const std::string& itip) override;

    /// Issue 25 §9 (src/mail/sharing_mail.cpp): from the server's address,
    /// counted in the owner's allowance like their scheduling email.
    std::optional<caldav::OutgoingMail> compose_share_notice(const caldav::ShareNotice& notice) override;

private:
    /// True when `sender_id` may send one more message now (and counts it);
    /// else sets `first_refusal` for the first refusal in a minute (to log once).
    bool admit(std::int64_t sender_id, bool& first_refusal);

    SmtpConfig smtp_;
    ImipLinkConfig links_;
    std::string link_secret_;
    std::function<std::int64_t()> wall_clock_;
    std::string envelope_sender_;
    unsigned per_minute_;
    Clock clock_;
    std::mutex mutex_;
    std::map<std::int64_t, std::deque<std::chrono::steady_clock::time_point>> sent_;
    std::map<std::int64_t, std::chrono::steady_clock::time_point> warned_;
};

}  // namespace server

// /rsvp/<token>: answer links for attendees without a calendar program
// (issue 6 §5). GET shows the invitation and a form; POST answers it as an
// emailed iTIP REPLY (RFC 5546 §3.2.3) from that attendee would.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"

namespace server {

/// Serves /rsvp/<token> without authentication: the signed token
/// (src/mail/rsvp_token.hpp) is the credential. Thread-safe; protocol-neutral
/// (no Asio), so it runs on the handler pool like caldav::Service.
class RsvpEndpoint {
public:
    /// Seconds since the Unix epoch (tests inject a clock).
    using WallClock = std::function<std::int64_t()>;

    /// `store` must outlive the endpoint; `secret` is the key links are signed with.
    RsvpEndpoint(caldav::Store& store, caldav::Limits limits, std::string secret,
                 WallClock now = {});

    /// True for the paths this endpoint answers.
    static bool serves(std::string_view path) { return path.starts_with("/rsvp/"); }

    /// GET/HEAD: an HTML page with the event and three answer buttons; changes
    /// nothing (mail scanners follow links). POST with partstat=ACCEPTED,
    /// DECLINED or TENTATIVE: applies the answer and confirms it. 403 for a bad
    /// token, 410 for an expired one, 404 when the event or invitation is gone,
    /// 400 for a bad partstat, 405 for other methods. Every refusal is logged;
    /// never throws.
    caldav::Response handle(const caldav::Request& request);

private:
    caldav::Response answer(const caldav::Request& request);

    caldav::Store& store_;
    caldav::Limits limits_;
    std::string secret_;
    WallClock now_;
};

}  // namespace server

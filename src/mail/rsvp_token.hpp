// Signed answer links for iMIP invitations (issue 6 §5): the token an
// external attendee's accept/decline/tentative link carries, HMAC-SHA256 signed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/config/config.hpp"

namespace server {

/// What an answer link lets its holder do: answer for `attendee` to the event
/// `uid` organized by the principal `organizer_id` (named `organizer`).
struct RsvpToken {
    std::int64_t organizer_id = 0;
    std::string organizer;  ///< principal name; with the id, a re-created user is not the same
    std::string uid;
    std::string attendee;          ///< calendar user address, "mailto:..."
    std::string partstat = "any";  ///< the only answer allowed, or "any"
    std::int64_t expires = 0;      ///< seconds since the Unix epoch
};

/// The link text for `token`: base64url(payload) "." base64url(HMAC-SHA256 of
/// the payload under `secret`). The payload is "v1", the id, the expiry, the
/// PARTSTAT, the organizer, the attendee and the UID, one per line (the UID
/// last, so it may hold anything). Empty when a field other than the UID holds
/// a line break.
std::string sign_rsvp_token(const RsvpToken& token, std::string_view secret);

/// How a token checked out.
enum class RsvpCheck {
    valid,
    forged,   ///< malformed, or the signature does not match
    expired,  ///< signed by us, but `expires` is past
};

struct RsvpVerified {
    RsvpCheck check = RsvpCheck::forged;
    RsvpToken token;  ///< filled for valid and expired tokens
};

/// Checks `text` (as sign_rsvp_token made it) against `secret` at `now`
/// (seconds since the epoch). MACs are compared in constant time; a text that
/// is not the canonical encoding of what it decodes to is forged. Never throws.
RsvpVerified verify_rsvp_token(std::string_view text, std::string_view secret, std::int64_t now);

/// The key answer links are signed with: `config.imip.link_secret` when set,
/// else 32 random bytes kept in DATA_DIR/rsvp-link.key (created once, mode
/// 0600, so that links survive restarts). Throws ConfigError naming the file.
std::string rsvp_link_secret(const Config& config);

}  // namespace server

// WebDAV-Push (draft-bitfire-webdav-push, as DAVx5 implements it): the push
// properties of calendars, registering a Web Push subscription on one by
// POST push-register, and the push message sent when it changes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "caldav/context.hpp"
#include "caldav/message.hpp"

namespace caldav {

/// The WebDAV-Push XML namespace.
inline constexpr std::string_view push_ns = "https://bitfire.at/webdav-push";

/// The push topic of collection `collection_id`: unique on this server,
/// stable for the collection's life, and no secret (it travels in the Topic
/// header, RFC 8030 §5.4: at most 32 base64url characters).
std::string push_topic(std::int64_t collection_id);

/// The inner XML of {push}transports: web-push with our VAPID key; nullopt
/// when the server has no push settings (ctx.push).
std::optional<std::string> push_transports_property(Context& ctx, const Resource& r);
/// The inner XML of {push}topic; nullopt without push settings.
std::optional<std::string> push_topic_property(Context& ctx, const Resource& r);
/// The inner XML of {push}supported-triggers: content updates to depth 1.
std::optional<std::string> push_supported_triggers_property(Context& ctx, const Resource& r);

/// POST push-register on a calendar: registers (or updates) a Web Push
/// subscription for the user on it, answers 201 with the registration URL
/// in Location and the granted expiry in Expires. 403 with
/// push-not-available, invalid-subscription or no-supported-trigger.
Response handle_push_register(Context& ctx);

/// The push message (the draft's "Push Message") telling subscribers that
/// the collection of `topic` changed, now at `sync_token`.
std::string push_message(std::string_view topic, std::string_view sync_token);

/// Unix seconds of an IMF-fixdate (RFC 9110 §5.6.7), or nullopt.
std::optional<std::int64_t> parse_imf_fixdate(std::string_view text);

}  // namespace caldav

// /feeds/<secret>.ics: public feeds of calendars (issue 25 §8), served without
// a login — the secret in the URL is the credential — rate-limited per feed.
// Making one (the secret, its hash, the row) is here too, for the command
// line and the JSON API alike.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"
#include "caldav/store_feeds.hpp"
#include "src/http/rate_limiter.hpp"

namespace server {

/// The path feeds are served under.
inline constexpr std::string_view feed_path_prefix = "/feeds/";

/// The path of the feed whose secret is `token`: "/feeds/TOKEN.ics".
std::string feed_path(std::string_view token);

/// A new feed on calendar `c` of `owner`, busy time only with `free_busy`:
/// writes the row (`feed` receives it) and returns its secret, which is
/// kept nowhere (only its SHA-256). Empty with `status` set when the store
/// refuses (not_found: the calendar is gone; busy, full).
std::string create_feed(caldav::FeedStore& feeds, const caldav::PrincipalRecord& owner,
                        const caldav::CollectionRecord& c, bool free_busy, caldav::PublicFeed& feed,
                        caldav::StoreStatus& status);

/// Serves feeds. Thread-safe; protocol-neutral (no Asio).
class FeedEndpoint {
public:
    /// Seconds since the Unix epoch (tests inject a clock).
    using WallClock = std::function<std::int64_t()>;

    /// `store` and `feeds` (the same backend) must outlive the endpoint. Each
    /// feed is admitted `per_minute` requests a minute with bursts of `burst`
    /// (RateLimiter; 0: no limit).
    FeedEndpoint(caldav::Store& store, caldav::FeedStore& feeds, caldav::Limits limits, unsigned per_minute,
                 unsigned burst, WallClock now = {});

    /// True for the paths this endpoint answers.
    static bool serves(std::string_view path) { return path.starts_with(feed_path_prefix); }

    /// GET/HEAD /feeds/<secret>.ics (".ics" may be left out): the calendar
    /// (caldav::public_feed_response); 404 for an unknown or revoked secret,
    /// 429 with Retry-After past the feed's rate, 405 for other methods.
    /// Never throws.
    caldav::Response handle(const caldav::Request& request);

private:
    caldav::Response answer(const caldav::Request& request);

    caldav::Store& store_;
    caldav::FeedStore& feeds_;
    caldav::Limits limits_;
    RateLimiter rate_;
    WallClock now_;
};

}  // namespace server

// Public feeds over HTTP (issue 25 §8): the secret's lookup by hash, the
// per-feed rate limit, and the answer caldav::public_feed_response builds.
#include "src/http/feed_endpoint.hpp"

#include <chrono>

#include "caldav/public_feed.hpp"
#include "src/http/authenticator.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

caldav::Response plain(int status, const std::string& text) {
    caldav::Response r;
    r.status = status;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.headers.set("Cache-Control", "no-store");
    r.body = text + "\n";
    return r;
}

/// The secret a feed path carries ("" when it carries none).
std::string_view secret_of(std::string_view path) {
    path.remove_prefix(feed_path_prefix.size());
    if (path.ends_with(".ics")) path.remove_suffix(4);
    if (path.empty() || path.size() > 128 || path.find('/') != std::string_view::npos) return {};
    return path;
}

std::int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string feed_path(std::string_view token) { return std::string(feed_path_prefix) + std::string(token) + ".ics"; }

std::string create_feed(caldav::FeedStore& feeds, const caldav::PrincipalRecord& owner,
                        const caldav::CollectionRecord& c, bool free_busy, caldav::PublicFeed& feed,
                        caldav::StoreStatus& status) {
    // A personal access token's random part: 32 bytes of OpenSSL's RAND_bytes, base64url.
    std::string token = new_access_token().substr(4);
    feed = {};
    feed.owner_id = owner.id;
    feed.collection_id = c.id;
    feed.token_hash = hash_access_token(token);
    feed.free_busy = free_busy;
    feed.created_at = system_now();
    status = feeds.add_feed(feed);
    if (status != caldav::StoreStatus::ok) return {};
    feed.owner_name = owner.name;
    feed.collection_name = c.name;
    return token;
}

FeedEndpoint::FeedEndpoint(caldav::Store& store, caldav::FeedStore& feeds, caldav::Limits limits,
                           unsigned per_minute, unsigned burst, WallClock now)
    : store_(store),
      feeds_(feeds),
      limits_(limits),
      rate_(per_minute, burst),
      now_(now ? std::move(now) : WallClock(&system_now)) {}

caldav::Response FeedEndpoint::handle(const caldav::Request& request) {
    try {
        return answer(request);
    } catch (const std::exception& e) {
        log::error("rid=" + request.request_id + " feed: " + e.what());
        return plain(500, "internal error; request id " + request.request_id);
    }
}

caldav::Response FeedEndpoint::answer(const caldav::Request& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        auto r = plain(405, "feeds are read with GET");
        r.headers.set("Allow", "GET, HEAD");
        return r;
    }
    auto secret = secret_of(request.path);
    auto feed = secret.empty() ? std::nullopt : feeds_.find_feed(hash_access_token(secret));
    if (!feed) return plain(404, "no such feed");
    if (auto wait = rate_.admit(feed->id)) {
        auto r = plain(429, "too many requests for this feed");
        r.headers.set("Retry-After", std::to_string(wait->count()));
        return r;
    }
    auto r = caldav::public_feed_response(store_, limits_, *feed, request, now_());
    if (r.status == 404) return plain(404, "no such feed");
    return r;
}

}  // namespace server

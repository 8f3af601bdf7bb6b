// Push subscriptions (issue 26 §5): Web Push subscriptions of a user (RFC 8030,
// RFC 8291 keys) and WebDAV-Push registrations on a collection
// (draft-bitfire-webdav-push), kept in one table (schema 0019). A capability
// interface of its own, implemented by a backend beside caldav::Store.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/store.hpp"

namespace caldav {

/// The job kind that sends a user's push reminder to each of their Web Push
/// subscriptions; owner_id is the recipient, the payload a JSON object text
/// {"title","body","url","tag"}.
inline constexpr std::string_view webpush_job_kind = "webpush";

/// The job kind that tells the WebDAV-Push subscribers of a collection that
/// it changed; the payload is the collection id in decimal. The store
/// enqueues it in the transaction of the change (schema 0019's trigger), at
/// most one not yet started per collection, so a burst of writes is one push.
inline constexpr std::string_view davpush_job_kind = "davpush";

/// One subscription: a push resource (RFC 8030 §5) with the user agent's
/// message encryption keys (RFC 8291 §2), for one principal.
struct PushSubscription {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;       ///< the principal who subscribed
    std::int64_t collection_id = 0;  ///< WebDAV-Push: the subscribed collection; 0: the user's Web Push
    std::string endpoint;            ///< absolute https (or, in tests, http) URL of the push resource
    std::string p256dh;              ///< the user agent's P-256 public key, base64url, uncompressed
    std::string auth;                ///< the 16-byte authentication secret, base64url
    std::int64_t created_at = 0;     ///< unix seconds of the first registration
    std::int64_t expires_at = 0;     ///< unix seconds it ends (WebDAV-Push); 0: never
    std::int64_t last_ok = 0;        ///< unix seconds of the last accepted delivery; 0: none yet
    /// WebDAV-Push: the topic the client registered under when it is not
    /// push_topic(collection_id): a registration that followed its
    /// calendar's MOVE keeps the old calendar's (the store sets it; empty:
    /// the collection's own).
    std::string topic;
};

/// Where push messages go. Every call is one transaction; times are unix
/// seconds from the caller's clock.
class PushStore {
public:
    virtual ~PushStore() = default;

    /// Registers `s` (owner_id, collection_id, endpoint, keys, expires_at,
    /// created_at): a subscription of the same owner, collection and endpoint
    /// is updated in place (keys, expiry) and keeps its id and created_at
    /// (draft-bitfire-webdav-push "Subscription Updates"). Sets s.id.
    /// `not_found` when the principal or the collection is gone.
    virtual StoreStatus put_push_subscription(PushSubscription& s) = 0;

    /// The user-level Web Push subscriptions of `owner_id` (collection 0), by id.
    virtual std::vector<PushSubscription> push_subscriptions_of(std::int64_t owner_id) = 0;

    /// The WebDAV-Push registrations on `collection_id` not expired at `now`, by id.
    virtual std::vector<PushSubscription> collection_push_subscriptions(std::int64_t collection_id,
                                                                        std::int64_t now) = 0;

    /// The subscription `id` if `owner_id` holds it, or nullopt.
    virtual std::optional<PushSubscription> find_push_subscription(std::int64_t owner_id, std::int64_t id) = 0;

    /// Removes the subscription `id` of `owner_id`; `not_found` when there is none.
    virtual StoreStatus remove_push_subscription(std::int64_t owner_id, std::int64_t id) = 0;

    /// Records that the push service accepted a message for `id` at `now`;
    /// `not_found` when the subscription is gone.
    virtual StoreStatus push_delivered(std::int64_t id, std::int64_t now) = 0;

    /// The revision of collection `collection_id` (for the sync-token of a
    /// WebDAV-Push message), or nullopt when it is gone.
    virtual std::optional<std::int64_t> collection_revision(std::int64_t collection_id) = 0;

    /// Deletes up to `limit` WebDAV-Push registrations that expired before
    /// `now`; returns how many went.
    virtual std::size_t prune_push_subscriptions(std::int64_t now, std::size_t limit) = 0;
};

/// What the WebDAV-Push front end (properties, push-register) needs to know
/// of the server's push setup; owned by the composition root.
struct DavPushSettings {
    std::string vapid_public_key;  ///< base64url, uncompressed P-256 point (RFC 8292 §3.2)
    /// scheme://host[:port] registration URLs start with; empty: taken from
    /// the request's Host header over http.
    std::string public_base_url;
    bool tls = false;                         ///< without public_base_url: registration URLs are https
    bool allow_http_endpoints = false;       ///< push resources over plain http (tests, loopback)
    std::int64_t max_expiry_seconds = 7 * 86400;  ///< longest registration the server grants
    /// Unix seconds now (tests inject one); empty: the system clock.
    std::function<std::int64_t()> now;
};

}  // namespace caldav

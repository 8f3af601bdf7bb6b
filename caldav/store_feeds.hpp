// Public feeds of calendars (issue 25 §8; schema 0021): a secret URL per
// feed that serves a calendar without a login, in full or as busy time only.
// A capability interface of its own, implemented by a backend beside
// caldav::Store; the secret itself is never stored, only its hash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/store.hpp"

namespace caldav {

/// One public feed of a calendar.
struct PublicFeed {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;       ///< the calendar's owner
    std::int64_t collection_id = 0;  ///< the calendar served
    std::string token_hash;          ///< lowercase hex SHA-256 of the URL's secret
    bool free_busy = false;          ///< busy blocks only (no SUMMARY, UID, ...)
    std::int64_t created_at = 0;     ///< unix seconds
    std::string owner_name;          ///< read back: the owner's principal name
    std::string collection_name;     ///< read back: the calendar's URL segment
};

/// Where public feeds are kept. Every call is one transaction.
class FeedStore {
public:
    virtual ~FeedStore() = default;

    /// Adds `f` (owner_id, collection_id, token_hash, free_busy, created_at)
    /// and sets f.id. `not_found` when the calendar is gone or is not
    /// owner_id's calendar; `exists` for a token_hash already in use.
    virtual StoreStatus add_feed(PublicFeed& f) = 0;

    /// The feeds of calendar `collection_id`, by id.
    virtual std::vector<PublicFeed> feeds_of_collection(std::int64_t collection_id) = 0;

    /// The feed whose secret hashes to `token_hash`, or nullopt (none, or revoked).
    virtual std::optional<PublicFeed> find_feed(std::string_view token_hash) = 0;

    /// Revokes feed `id` of calendar `collection_id` (deletes it):
    /// `not_found` when the calendar has no such feed.
    virtual StoreStatus remove_feed(std::int64_t collection_id, std::int64_t id) = 0;
};

}  // namespace caldav

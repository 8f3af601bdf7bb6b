// A request rate limit per principal for the JSON API (issue 24): a token
// bucket each, answered with 429 and Retry-After (RFC 6585 §4) when empty.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace server {

/// Token buckets per principal: each holds up to `burst` requests and
/// refills at `per_minute` a minute. Thread-safe. A principal idle long
/// enough for its bucket to be full again has no entry (the table holds only
/// the principals active within the last refill time).
class RateLimiter {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    /// `per_minute` 0: no limit (admit() always admits). `burst` 0 counts as 1.
    RateLimiter(unsigned per_minute, unsigned burst);
    /// The same with `clock` in place of std::chrono::steady_clock (tests).
    RateLimiter(unsigned per_minute, unsigned burst, Clock clock);

    /// nullopt: admitted, one request taken from `principal_id`'s bucket.
    /// Else refused (nothing taken): how long until a request would be
    /// admitted, in whole seconds, at least 1 (for Retry-After).
    std::optional<std::chrono::seconds> admit(std::int64_t principal_id);

    /// Principals with an entry now (for tests of the bound).
    std::size_t entries();

private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point updated;
    };
    /// Drops the buckets that are full again at `now`; needs mutex_.
    void sweep(std::chrono::steady_clock::time_point now);

    double per_second_;
    double burst_;
    std::chrono::steady_clock::duration refill_time_;  ///< empty to full
    Clock clock_;
    std::mutex mutex_;
    std::unordered_map<std::int64_t, Bucket> buckets_;
    std::chrono::steady_clock::time_point last_sweep_;
};

}  // namespace server

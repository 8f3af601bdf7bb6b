// Token-bucket rate limit per principal (issue 24; Retry-After, RFC 9110 §10.2.3).
#include "src/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace server {

RateLimiter::RateLimiter(unsigned per_minute, unsigned burst)
    : RateLimiter(per_minute, burst, [] { return std::chrono::steady_clock::now(); }) {}

RateLimiter::RateLimiter(unsigned per_minute, unsigned burst, Clock clock)
    : per_second_(per_minute / 60.0), burst_(std::max(1u, burst)), clock_(std::move(clock)) {
    if (per_minute > 0)
        refill_time_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(burst_ / per_second_));
    last_sweep_ = clock_();
}

void RateLimiter::sweep(std::chrono::steady_clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& e) { return now - e.second.updated >= refill_time_; });
    last_sweep_ = now;
}

std::optional<std::chrono::seconds> RateLimiter::admit(std::int64_t principal_id) {
    if (per_second_ <= 0) return std::nullopt;
    auto now = clock_();
    std::lock_guard lock(mutex_);
    // At most one pass over the table per refill time: what it drops was
    // idle for that long, so the table holds the recently active only.
    if (now - last_sweep_ >= refill_time_) sweep(now);
    auto [it, fresh] = buckets_.try_emplace(principal_id, Bucket{burst_, now});
    auto& b = it->second;
    if (!fresh) {
        double elapsed = std::chrono::duration<double>(now - b.updated).count();
        b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
        b.updated = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    double wait = std::ceil((1.0 - b.tokens) / per_second_);
    return std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(wait)));
}

std::size_t RateLimiter::entries() {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace server

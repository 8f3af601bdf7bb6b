// Public feeds (issue 25 §8): a calendar served at a secret URL without a
// login, read-only, as text/calendar — whole, or as busy blocks only.
#pragma once
#include <cstdint>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"
#include "caldav/store_feeds.hpp"

namespace caldav {

/// How far the free/busy form of a feed reaches: from this many days before
/// now to this many after (the busy blocks are computed for that window).
inline constexpr std::int64_t feed_busy_days_back = 31;
inline constexpr std::int64_t feed_busy_days_ahead = 366;

/// The answer to GET or HEAD of `feed` at unix time `now`: 200 with the
/// calendar (the full form is the calendar's export, as its owner's GET
/// gives it; the free/busy form one VEVENT per merged busy period with no
/// SUMMARY and a UID made of its times, tentative ones STATUS:TENTATIVE,
/// nothing of the events themselves), an ETag and Cache-Control; 304 when
/// If-None-Match names that ETag; 404 when the calendar or its owner is gone;
/// 405 for any other method.
Response public_feed_response(Store& store, const Limits& limits, const PublicFeed& feed, const Request& request,
                              std::int64_t now);

}  // namespace caldav

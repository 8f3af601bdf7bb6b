// Public feeds (issue 25 §8): a calendar served at a secret URL without a
// login, read-only, as text/calendar — whole, or as busy blocks only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"
#include "caldav/store_feeds.hpp"

namespace caldav {

/// How far the free/busy form of a feed reaches: from this many days before
/// now to this many after (the busy blocks are computed for that window).
inline constexpr std::int64_t feed_busy_days_back = 31;
inline constexpr std::int64_t feed_busy_days_ahead = 366;

/// What the full form of a feed shows of the components of one stored object
/// (`components`: BEGIN..END blocks as split_calendar gives them, with their
/// folding). By each component's CLASS (RFC 5545 §3.8.1.3): PUBLIC, or none,
/// whole; CONFIDENTIAL only its time (UID, DTSTAMP, the start, end, duration
/// and recurrence, SEQUENCE, STATUS, TRANSP, CLASS), no title, place, people,
/// description or alarms; PRIVATE, and any class we do not know (as the RFC
/// asks), only busy time, as Google Calendar shows private events in a public
/// calendar: the same time properties with SUMMARY "Busy" and a UID made from
/// a hash of the original, and nothing at all when it is transparent or has
/// no time (a VJOURNAL). The most secret component of the object decides for
/// all of them, so that a series and its overrides keep one UID.
std::string public_feed_components(std::string_view components);

/// The answer to GET or HEAD of `feed` at unix time `now`: 200 with the
/// calendar (the full form is the calendar's export, as its owner's GET
/// gives it, less what public_feed_components holds back; the free/busy form one VEVENT per merged busy period with no
/// SUMMARY and a UID made of its times, tentative ones STATUS:TENTATIVE,
/// nothing of the events themselves), an ETag and Cache-Control; 304 when
/// If-None-Match names that ETag; 404 when the calendar or its owner is gone;
/// 405 for any other method.
Response public_feed_response(Store& store, const Limits& limits, const PublicFeed& feed, const Request& request,
                              std::int64_t now);

}  // namespace caldav

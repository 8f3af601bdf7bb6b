// Per-user limits an operator sets (issue 29 §6): the storage quota (RFC 4331)
// and the number of calendars and of objects per calendar, checked before a
// write so that a refused write stores nothing.
#pragma once
#include <cstdint>
#include <optional>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"

namespace caldav {

/// `limits` with the overrides an operator set for `owner_id`
/// (Store::user_limits) in place of the server's quota and counts. Every
/// check below applies it to the owner of what is written.
Limits limits_for(Store& store, const Limits& limits, std::int64_t owner_id);

/// Bytes `owner_id` may still store (RFC 4331 DAV:quota-available-bytes), 0 when full.
std::int64_t quota_available_bytes(Store& store, const Limits& limits, std::int64_t owner_id);

/// Checks that `new_bytes` stored in `collection` (replacing `replaced`, the
/// member written over, when there is one) keeps its owner within
/// limits.quota_bytes_per_user and, for a new member, the collection within
/// limits.max_objects_per_calendar. Throws Error 507 DAV:quota-not-exceeded
/// (RFC 4331 §6) or 403 K:max-resources.
void check_object_write(Store& store, const Limits& limits, const CollectionRecord& collection,
                        std::uint64_t new_bytes, const std::optional<ObjectRecord>& replaced);

/// Checks that `owner_id` may have one more calendar (limits.max_calendars_per_user);
/// throws Error 403 K:max-calendars. Inbox, outbox and plain collections do not count.
void check_new_calendar(Store& store, const Limits& limits, std::int64_t owner_id);

/// Checks that copying a collection holding `bytes` and `objects` members
/// (a calendar when `is_calendar`) into `owner_id`'s home keeps it within
/// the quota and the calendar count; `objects` is checked against
/// limits.max_objects_per_calendar. Throws as the checks above.
void check_collection_copy(Store& store, const Limits& limits, std::int64_t owner_id, std::uint64_t bytes,
                           std::size_t objects, bool is_calendar);

}  // namespace caldav

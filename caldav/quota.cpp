// Storage quota (RFC 4331) and the calendar and object counts of kalends.conf(5)
// [limits], with the overrides of `kalends user limits`: the one place the write paths ask whether a write fits.
#include "caldav/quota.hpp"

#include <algorithm>
#include <string>

#include "caldav/error.hpp"

namespace caldav {

namespace {

void check_bytes(Store& store, const Limits& limits, std::int64_t owner_id, std::uint64_t adding,
                 std::uint64_t freeing) {
    // The quota of the collection's owner, whoever writes (RFC 4331 §1).
    auto used = static_cast<std::uint64_t>(std::max<std::int64_t>(0, store.used_bytes(owner_id)));
    used = used > freeing ? used - freeing : 0;
    if (used + adding > limits.quota_bytes_per_user)
        throw Error(507, Precondition::quota_not_exceeded,
                    "the calendar quota is exhausted: " + std::to_string(used) + " of " +
                        std::to_string(limits.quota_bytes_per_user) + " bytes used, " + std::to_string(adding) +
                        " more asked for");
}

[[noreturn]] void too_many_objects(const Limits& limits) {
    throw Error(403, Precondition::max_resources,
                "this calendar holds the most objects allowed (" + std::to_string(limits.max_objects_per_calendar) +
                    "); delete some or use another calendar");
}

}  // namespace

Limits limits_for(Store& store, const Limits& limits, std::int64_t owner_id) {
    Limits out = limits;
    auto own = store.user_limits(owner_id);
    if (own.quota_bytes) out.quota_bytes_per_user = *own.quota_bytes;
    if (own.max_calendars) out.max_calendars_per_user = *own.max_calendars;
    if (own.max_objects_per_calendar) out.max_objects_per_calendar = *own.max_objects_per_calendar;
    return out;
}

std::int64_t quota_available_bytes(Store& store, const Limits& server_limits, std::int64_t owner_id) {
    auto limits = limits_for(store, server_limits, owner_id);
    auto quota = static_cast<std::int64_t>(std::min<std::uint64_t>(limits.quota_bytes_per_user, INT64_MAX));
    return std::max<std::int64_t>(0, quota - store.used_bytes(owner_id));
}

void check_object_write(Store& store, const Limits& server_limits, const CollectionRecord& collection,
                        std::uint64_t new_bytes, const std::optional<ObjectRecord>& replaced) {
    auto limits = limits_for(store, server_limits, collection.owner_id);
    std::uint64_t freeing = replaced ? static_cast<std::uint64_t>(std::max<std::int64_t>(0, replaced->size)) : 0;
    if (new_bytes > freeing) check_bytes(store, limits, collection.owner_id, new_bytes, freeing);
    // Counting lists the members' rows: paid only when the limit is set and
    // the write adds a member.
    if (!replaced && limits.max_objects_per_calendar > 0 &&
        store.list_objects(collection.id, false).size() >= limits.max_objects_per_calendar)
        too_many_objects(limits);
}

void check_new_calendar(Store& store, const Limits& server_limits, std::int64_t owner_id) {
    auto limits = limits_for(store, server_limits, owner_id);
    if (limits.max_calendars_per_user == 0) return;
    auto all = store.list_collections(owner_id);
    auto calendars = std::count_if(all.begin(), all.end(),
                                   [](const CollectionRecord& c) { return c.kind == CollectionKind::calendar; });
    if (static_cast<std::size_t>(calendars) >= limits.max_calendars_per_user)
        throw Error(403, Precondition::max_calendars,
                    "you have the most calendars allowed (" + std::to_string(limits.max_calendars_per_user) +
                        "); delete one first");
}

void check_collection_copy(Store& store, const Limits& server_limits, std::int64_t owner_id, std::uint64_t bytes,
                           std::size_t objects, bool is_calendar) {
    auto limits = limits_for(store, server_limits, owner_id);
    if (bytes > 0) check_bytes(store, limits, owner_id, bytes, 0);
    if (limits.max_objects_per_calendar > 0 && objects > limits.max_objects_per_calendar) too_many_objects(limits);
    if (is_calendar) check_new_calendar(store, server_limits, owner_id);
}

}  // namespace caldav

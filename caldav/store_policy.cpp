// ETags, Schedule-Tags and default collections (caldav/store_policy.hpp).
#include "caldav/store_policy.hpp"

#include <cstdio>

namespace caldav {

std::string entity_tag(std::int64_t revision, std::string_view data) {
    // FNV-1a over the bytes: cheap, and only needs to tell versions apart
    // together with the revision.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%llx-%016llx", static_cast<unsigned long long>(revision),
                  static_cast<unsigned long long>(h));
    return buf;
}

std::string schedule_tag_after(ScheduleTagChange change, std::string_view current, std::string_view new_etag) {
    switch (change) {
    case ScheduleTagChange::keep: return std::string(current);
    case ScheduleTagChange::renew: return std::string(new_etag);
    case ScheduleTagChange::clear: break;
    }
    return {};
}

std::span<const DefaultCollection> default_collections() {
    static constexpr DefaultCollection all[] = {
        {"calendar", CollectionKind::calendar, "Calendar", "VEVENT,VTODO", true},
        {"inbox", CollectionKind::inbox, "Inbox", "", false},
        {"outbox", CollectionKind::outbox, "Outbox", "", false},
    };
    return all;
}

}  // namespace caldav

// Policy every storage backend applies the same way (issue 23 §5): how a
// version's ETag and Schedule-Tag are made and which collections a calendar
// home starts with. Written once here; a backend calls these inside its
// transaction and keeps only compare-and-set, uniqueness and ordering.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "caldav/store.hpp"

namespace caldav {

/// The ETag of a resource's new version: the collection revision the change
/// got (unique per change, so that writing equal bytes again is still a new
/// version for If-Match) and a hash of its bytes. Without quotes.
std::string entity_tag(std::int64_t revision, std::string_view data);

/// The Schedule-Tag after a write (RFC 6638 §3.2.10): `current` kept, the new
/// version's ETag when renewed (unique for the same reasons), none when cleared.
std::string schedule_tag_after(ScheduleTagChange change, std::string_view current, std::string_view new_etag);

/// A collection every calendar home has (RFC 4791 §4.2 a calendar, RFC 6638
/// §2.2-2.1 the scheduling inbox and outbox).
struct DefaultCollection {
    std::string_view name;
    CollectionKind kind;
    std::string_view display_name;
    std::string_view components;  ///< supported-calendar-component-set; empty = all
    /// Created only when the home has no calendar at all (the user may have
    /// renamed or deleted the first one and made others).
    bool unless_a_calendar_exists;
};

/// The collections a home is provisioned with (Store::provision_home).
std::span<const DefaultCollection> default_collections();

}  // namespace caldav

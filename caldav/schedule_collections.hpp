// The scheduling properties of collections (RFC 6638 §9): which calendars
// count for busy time (schedule-calendar-transp) and where new invitations
// land (schedule-default-calendar-URL); one answer for the property, for
// delivery and for free/busy lookups.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"

namespace caldav {

/// The inbox dead property (in names::caldav_ns) by which a user chooses
/// their default calendar (RFC 6638 §9.2).
inline constexpr std::string_view schedule_default_calendar_property = "schedule-default-calendar-URL";

/// True when calendar `c` may hold invitations: a calendar collection whose
/// supported-calendar-component-set allows VEVENT.
bool takes_invitations(const CollectionRecord& c);

/// The calendar of `who` that `href` names (a path, or an absolute URL on any
/// host), when it may hold invitations; nullopt otherwise.
std::optional<CollectionRecord> invitation_calendar_at(Store& store, const PrincipalRecord& who,
                                                       std::string_view href);

/// The calendar where deliveries to `who` create new copies: the one the
/// user chose by setting schedule-default-calendar-URL on their inbox (a
/// dead property there) while it exists and takes events; else "calendar";
/// else the first calendar by name that takes events. nullopt when the user
/// has none.
std::optional<CollectionRecord> default_calendar(Store& store, const PrincipalRecord& who,
                                                 const Limits& limits);

/// The choice default_calendar makes, from what a store reads inside a transaction
/// (the owner's zone for reminders, issue 26): `owner_name` the user's URL
/// name, `chosen_property_xml` the inbox's schedule-default-calendar-URL dead
/// property element ("" when none), `collections` all of the user's
/// collections ordered by name as list_collections orders them.
std::optional<CollectionRecord> default_calendar_among(std::string_view owner_name,
                                                       std::string_view chosen_property_xml,
                                                       std::vector<CollectionRecord> collections,
                                                       const Limits& limits);

/// RFC 6638 §9.1: false when the user set calendar `c`'s
/// schedule-calendar-transp to transparent (a dead property of it): its
/// events then do not make the owner busy. Opaque by default.
bool counts_for_busy(Store& store, const CollectionRecord& c);

}  // namespace caldav

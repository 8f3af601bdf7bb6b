// Implicit scheduling (RFC 6638 §3.2) between local users: what a PUT or
// DELETE of a scheduling object resource sends to the other parties' inboxes
// and calendars, and the calendar user addresses it relies on.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "caldav/context.hpp"

namespace caldav {

/// True when `address` is one of the user's calendar user addresses (RFC 6638 §2.4.1).
bool is_own_address(const PrincipalRecord& user, std::string_view address);

/// The local principal a calendar user address names, if any.
std::optional<PrincipalRecord> principal_of(Store& store, std::string_view address);

/// After the user stored `data` as `name` in calendar `collection`: delivers
/// REQUESTs to local attendees (organizer) or a REPLY to a local organizer
/// (attendee). Returns the organizer's data with SCHEDULE-STATUS filled in
/// when it must be stored again (then the client's copy is stale: no ETag).
std::optional<std::string> schedule_after_put(Context& ctx, const std::string& data, const std::string& previous);

/// After the user deleted an object holding `data`: CANCEL to local attendees
/// (organizer) or a DECLINED reply to a local organizer (attendee).
void schedule_after_delete(Context& ctx, const std::string& data);

}  // namespace caldav

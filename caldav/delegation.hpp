// Delegation (issue 25 §5) as Apple's CalendarServer speaks it: each user
// principal has two group principals, calendar-proxy-read and
// calendar-proxy-write, whose DAV:group-member-set (RFC 3744 §4.3) the user
// sets by PROPPATCH (Apple Calendar's Delegation pane); a delegate's
// principal lists whom they act for (CS:calendar-proxy-read-for /
// -write-for, DAV:group-membership). Privileges: caldav/privileges.cpp
// proxy_privileges.
#pragma once
#include <optional>
#include <string>

#include "caldav/context.hpp"
#include "caldav/message.hpp"

namespace caldav {

/// The mode of the proxy group `r` (a ResourceKind::proxy_group).
ProxyMode proxy_mode_of(const Resource& r);

/// PROPPATCH of a proxy group: DAV:group-member-set (DAV:href of user
/// principals, by URL or mailto:) replaces that group's delegates; any
/// other property is protected. An href naming nobody, a non-user or the
/// delegator fails the update (403 for the property, 424 for the rest).
/// Only the delegator holds write-properties here (Service checked it).
Response handle_proxy_proppatch(Context& ctx);

/// Property getters (nullopt: not reported). On a proxy group: its
/// resourcetype, display name, principal-URL and DAV:group-member-set (seen
/// by the delegator and the group's members). On a user principal, to that
/// user only: DAV:group-membership, CS:calendar-proxy-read-for and
/// CS:calendar-proxy-write-for.
std::optional<std::string> proxy_resourcetype(Context& ctx, const Resource& r);
std::optional<std::string> proxy_displayname(Context& ctx, const Resource& r);
std::optional<std::string> proxy_principal_url(Context& ctx, const Resource& r);
std::optional<std::string> group_member_set(Context& ctx, const Resource& r);
std::optional<std::string> group_membership(Context& ctx, const Resource& r);
std::optional<std::string> calendar_proxy_read_for(Context& ctx, const Resource& r);
std::optional<std::string> calendar_proxy_write_for(Context& ctx, const Resource& r);

}  // namespace caldav

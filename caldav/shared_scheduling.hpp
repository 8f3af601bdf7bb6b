// Scheduling for a calendar's owner by somebody else (issue 25 §5, §6): a
// sharee with write rights, or a proxy-write delegate, writing in the owner's
// calendar schedules as the owner, with ORGANIZER;SENT-BY naming themselves
// (RFC 5545 §3.2.18, RFC 6638 §3.2), as Apple's CalendarServer does.
#pragma once
#include <optional>
#include <string>

#include "caldav/privileges.hpp"
#include "caldav/store.hpp"
#include "caldav/write_plan.hpp"

namespace caldav {

/// The calendar user address the server schedules `p` with: "mailto:EMAIL",
/// or the principal URL when `p` has no email address.
std::string calendar_user_address(const PrincipalRecord& p);

/// The owner of `calendar` when it is not the actor: found through the
/// calendar's grants or the actor's delegations (the only ways another
/// user's calendar is writable to them). nullopt for the actor's own
/// calendar, or when no grant or delegation names its owner.
std::optional<PrincipalRecord> other_owner(Actor& actor, const CollectionRecord& calendar);

/// The actor who schedules a write by `actor` into a calendar of `owner`:
/// the owner, with `actor.principal` as `sent_by`. The caller has checked
/// that `actor` may write there (write-content, or bind for a new object):
/// that is the only thing that lets SENT-BY be honoured.
Actor on_behalf_of(const Actor& actor, const PrincipalRecord& owner);

/// Issue 25 §5, §6 for front ends that name calendars by id (the JSON
/// API): the actor who changes `calendar`, which is not `actor`'s own: its
/// owner with `actor` as SENT-BY (on_behalf_of) when the actor's grant or
/// delegation there includes `needed` (bind to create, write-content to
/// change, unbind to delete), as CalDAV checks it. Throws Error 403 otherwise.
Actor acting_on(Actor& actor, const CollectionRecord& calendar, Privileges needed);

/// What a write by `by.sent_by` for `by.principal` (on_behalf_of) stores,
/// from what the client sent (`data`) over `previous` (empty when new).
/// Decision (issue 25 §6, documented in docs/sharing.md): the owner of the
/// calendar is the organizer of every meeting in it. An ORGANIZER naming the
/// sharee (their client puts them there) or the owner is rewritten to the
/// owner, with SENT-BY naming the sharee when the write changes what the
/// attendees see; a SENT-BY the write does not need is taken from
/// `previous`. A meeting organized by a third party (the owner's copy as an
/// attendee) is left alone: the owner's answer there goes out as their REPLY.
std::string as_owner_organizer(const Actor& by, const std::string& data, const std::string& previous);

}  // namespace caldav

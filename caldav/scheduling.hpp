// Implicit scheduling (RFC 6638 §3.2): what a PUT or DELETE of a scheduling
// object resource sends to the other parties' inboxes and calendars (local
// users) or by email (iMIP), and the calendar user addresses it relies on.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/context.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

/// The email address of a "mailto:" calendar user address (scheme in any
/// case), or empty when it has another scheme.
std::string mail_address(std::string_view address);

/// True when `address` is one of the user's calendar user addresses (RFC 6638 §2.4.1).
bool is_own_address(const PrincipalRecord& user, std::string_view address);

/// The local principal a calendar user address names, if any.
std::optional<PrincipalRecord> principal_of(Store& store, std::string_view address);

/// What implicit scheduling leaves for the caller to store.
struct ScheduleResult {
    /// The organizer's data with SCHEDULE-STATUS (and rooms' answers) filled
    /// in, when it must be stored again (then the client's copy is stale).
    std::optional<std::string> updated;
    /// Email for external calendar users (iMIP): queued with `updated` in one
    /// transaction when there is one, else on its own.
    std::vector<OutgoingMail> mail;
};

/// SCHEDULE-FORCE-SEND (RFC 6638 §7.3) in what the client sent: removed
/// before the object is stored, it still forces the messages it asks for.
struct ScheduleForce {
    std::vector<std::string> request;  ///< ATTENDEE addresses with SCHEDULE-FORCE-SEND=REQUEST
    bool reply = false;                ///< SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER
};

/// After the user stored `data`: delivers REQUESTs to local attendees and
/// composes email for external ones (organizer), or a REPLY to the organizer
/// (attendee). `previous` is the version replaced (empty when created).
/// Attendees whose copy would not change get no new REQUEST unless `force`
/// names them. `parsed`, when given, is ical::scheduling_info(data), already
/// read by the caller (one parse less per write).
ScheduleResult schedule_after_put(Context& ctx, const std::string& data,
                                  const std::string& previous, const ScheduleForce& force = {},
                                  const std::optional<ical::SchedulingInfo>* parsed = nullptr);

/// Before the user's write of `data`, when the user organizes it and every
/// attendee it schedules (now or in `previous`) has no local account: then
/// scheduling has no effect on this server but email, and what it would store
/// (SCHEDULE-STATUS) and send is known at once, for one write with the mail.
/// Nothing is done, and nullopt returned, otherwise.
std::optional<ScheduleResult> schedule_before_put(
    Context& ctx, const std::string& data, const std::string& previous,
    const ScheduleForce& force = {}, const std::optional<ical::SchedulingInfo>* parsed = nullptr);

/// After the user deleted an object holding `data`: CANCEL to the attendees
/// (organizer) or a DECLINED reply to the organizer (attendee; not with
/// `reply` false, from "Schedule-Reply: F", RFC 6638 §8.1). Returns the email
/// to queue for external parties.
std::vector<OutgoingMail> schedule_after_delete(Context& ctx, const std::string& data,
                                                bool reply = true);

/// RFC 6638 §3.2.2.1, §3.2.4.4: when the user, an attendee of an event a
/// local organizer schedules through this server, writes `data` over their
/// copy `previous`, throws 403 CALDAV:allowed-attendee-scheduling-object-change
/// for a change that is the organizer's to make (times, RRULE, SUMMARY,
/// LOCATION, ORGANIZER, the attendee list, another attendee's answer unless
/// `answers_merged`: If-Schedule-Tag-Match takes those from the stored copy).
/// Returns normally for anything else, for a new object and for data that
/// does not parse (validated elsewhere).
void check_attendee_change(Context& ctx, const std::string& data, const std::string& previous,
                           bool answers_merged);

/// RFC 6638 §4.2: once a reply from `replying` changed `organizer`'s copy
/// from `before` to `after`, the other local attendees' copies show the new
/// answers (their own answer, alarms and X- properties kept; Schedule-Tag
/// kept when only answers changed, §3.2.10). No inbox item and no email.
void share_answers(Context& ctx, const PrincipalRecord& organizer, const std::string& before,
                   const std::string& after, std::string_view replying);

/// Stores `data` as the calendar object `name` of `collection_id`, indexed
/// like a PUT; false when it is not valid calendar data or the store refuses it.
bool store_calendar_object(Context& ctx, std::int64_t collection_id, const std::string& name,
                           const std::string& data);

/// Puts an iTIP message into a principal's scheduling inbox; false when the
/// store refused it.
bool deliver_to_inbox(Context& ctx, const PrincipalRecord& who, const std::string& message);

/// What became of one delivery to a local attendee.
enum class Delivery {
    delivered,  ///< inbox item and copy written
    failed,     ///< a write failed (SCHEDULE-STATUS 5.1)
    refused,    ///< the attendee holds the UID in an event `organizer` does not organize (3.8)
};

/// Delivers an organizer's REQUEST (or CANCEL) to a local attendee `who`
/// (invited as `address`) from `organizer` (the ORGANIZER address): the
/// message `message` into their inbox, and their copy of the object `data`
/// created in their default calendar or updated where it is (their own
/// PARTSTAT kept), or marked CANCELLED. Nothing is written when the copy the
/// UID finds is not organized by `organizer` (RFC 5546 §3.2).
Delivery deliver_to_attendee(Context& ctx, const PrincipalRecord& who, std::string_view address,
                             std::string_view organizer, const std::string& uid,
                             const std::string& data, const std::string& message, bool cancel);

}  // namespace caldav

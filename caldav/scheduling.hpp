// Implicit scheduling (RFC 6638 §3.2): what a write or deletion of a
// scheduling object resource sends to the other parties' inboxes and
// calendars (local users) or by email (iMIP), planned into the action's
// WritePlan so that it commits with the write; and the calendar user
// addresses it relies on.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/store.hpp"
#include "caldav/write_plan.hpp"
#include "ical/itip.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

/// The kind of the jobs that bring the other local attendees' copies of a
/// meeting in step with the answers on its organizer's copy, queued by an
/// answer (RFC 6638 §4.2) and run by refresh_attendee_copies.
inline constexpr std::string_view attendee_refresh_job_kind = "attendee-refresh";

/// What one run of an attendee-refresh job came to.
enum class RefreshResult {
    done,  ///< the copies are in step, or there is nothing (left) to refresh
    busy,  ///< the copies kept changing or the store refused: run it again later
};

/// Runs the attendee-refresh job `payload` of the organizer `organizer_id`:
/// every other local attendee's existing copy of the meeting takes the
/// answers on the organizer's copy as it is now, in one transaction (their
/// own answer, alarms and X- properties kept; the Schedule-Tag kept unless
/// the copy had missed more than answers). Running it twice changes
/// nothing more. A gone organizer, copy or payload out of form is done.
RefreshResult refresh_attendee_copies(Store& store, const Limits& limits, std::int64_t organizer_id,
                                      std::string_view payload);

/// The email address of a "mailto:" calendar user address (scheme in any
/// case), or empty when it has another scheme.
std::string mail_address(std::string_view address);

/// True when `address` is one of the user's calendar user addresses (RFC 6638 §2.4.1).
bool is_own_address(const PrincipalRecord& user, std::string_view address);

/// The local principal a calendar user address names, if any.
std::optional<PrincipalRecord> principal_of(Store& store, std::string_view address);

/// SCHEDULE-FORCE-SEND (RFC 6638 §7.3) in what the client sent: removed
/// before the object is stored, it still forces the messages it asks for.
struct ScheduleForce {
    std::vector<std::string> request;  ///< ATTENDEE addresses with SCHEDULE-FORCE-SEND=REQUEST
    bool reply = false;                ///< SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER
};

/// Plans what the actor's write of `data` over `previous` (empty when
/// created) sends: as organizer, REQUESTs to the attendees (local ones into
/// their inbox and calendar, rooms booked, external ones by email) and
/// CANCELs to the attendees dropped, or to all of them when the object is no
/// meeting any more (RFC 6638 §3.2.1.2); as attendee, a REPLY to the
/// organizer. Attendees whose copy would not change get no new REQUEST unless
/// `force` names them. `parsed`, when given, is ical::scheduling_info(data),
/// already read by the caller. Returns the data the actor's own object is
/// stored with when scheduling changes it (SCHEDULE-STATUS, rooms' answers;
/// then the client's copy is stale), else nullopt.
std::optional<std::string> plan_put_scheduling(Actor& actor, WritePlan& plan, const std::string& data,
                                               const std::string& previous, const ScheduleForce& force = {},
                                               const std::optional<ical::SchedulingInfo>* parsed = nullptr);

/// Plans what deleting an object holding `data` sends: CANCEL to the
/// attendees (organizer) or a DECLINED reply to the organizer (attendee; not
/// with `reply` false, from "Schedule-Reply: F", RFC 6638 §8.1).
void plan_delete_scheduling(Actor& actor, WritePlan& plan, const std::string& data, bool reply = true);

/// RFC 6638 §3.2.2.1, §3.2.4.4: when the actor, an attendee of an event a
/// local organizer schedules through this server, writes `data` over their
/// copy `previous`, throws 403 CALDAV:allowed-attendee-scheduling-object-change
/// for a change that is the organizer's to make (times, RRULE, SUMMARY,
/// LOCATION, ORGANIZER, the attendee list, another attendee's answer unless
/// `answers_merged`: If-Schedule-Tag-Match takes those from the stored copy).
/// Returns normally for anything else, for a new object and for data that
/// does not parse (validated elsewhere). Reads both texts through `plan`'s parses.
void check_attendee_change(Actor& actor, WritePlan& plan, const std::string& data, const std::string& previous,
                           bool answers_merged);

/// Plans a REPLY applied to `copy`, `organizer`'s copy of the event (per
/// instance, RFC 6638 §4.2; their Schedule-Tag kept, §3.2.10): when it
/// invites the replying attendee and the answer changes it, the copy is
/// written and the new answers go to the other local attendees' copies.
/// Returns what applying it found (ical::apply_reply), nullopt when the
/// reply or the copy does not parse. The reply's inbox item is the caller's.
std::optional<ical::ReplyApplication> plan_reply(Actor& actor, WritePlan& plan, const PrincipalRecord& organizer,
                                                 const ObjectRecord& copy, const std::string& reply);

/// Plans an iTIP message into a principal's scheduling inbox; false when it
/// has none or the message is not valid calendar data.
bool plan_inbox_item(Actor& actor, WritePlan& plan, const PrincipalRecord& who, const std::string& message);

/// What became of one delivery to a local attendee.
enum class Delivery {
    delivered,  ///< inbox item and copy planned
    failed,     ///< it has no inbox or calendar, or the copy is not valid (SCHEDULE-STATUS 5.1)
    refused,    ///< the attendee holds the UID in an event `organizer` does not organize (3.8)
};

/// Plans an organizer's REQUEST (or CANCEL) to a local attendee `who`
/// (invited as `address`) from `organizer` (the ORGANIZER address): the
/// message `message` into their inbox, and their copy of the object `data`
/// created in their default calendar or updated where it is (their own
/// PARTSTAT kept), or marked CANCELLED. Nothing is planned when the copy the
/// UID finds is not organized by `organizer` (RFC 5546 §3.2).
Delivery plan_delivery(Actor& actor, WritePlan& plan, const PrincipalRecord& who, std::string_view address,
                       std::string_view organizer, const std::string& uid, const std::string& data,
                       const std::string& message, bool cancel);

}  // namespace caldav

// Reminders the server delivers (issue 26): which alarm firings of a
// calendar object are the server's (RFC 5545 §3.6.6 ACTION:EMAIL, push
// reminders of the JSON API), the reminder jobs that carry them, and the
// e-mail and push jobs a due reminder turns into. docs/reminders.md tells
// the whole design.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/event_spec.hpp"

#include "caldav/store.hpp"
#include "caldav/store_jobs.hpp"
#include "caldav/store_push.hpp"  // webpush_job_kind: push reminders go out as its jobs

namespace caldav {

/// The kind of the periodic job that extends the reminder index's horizon.
inline constexpr std::string_view reminder_horizon_job_kind = "reminder-horizon";

/// The calendar property (in names::kalends_ns) by which a user asks for the
/// server to push the calendar's ordinary ACTION:DISPLAY alarms too: "true"
/// or "false"; absent, [reminders] display-alarms decides. Kept as a dead
/// property of the calendar; PROPPATCH (caldav/property_update.cpp) and the
/// JSON API ("push_display_alarms") check and write it.
inline constexpr std::string_view push_display_alarms_property = "push-display-alarms";

/// The [reminders] settings.
struct ReminderPolicy {
    std::int64_t horizon_seconds = 14 * 86400;  ///< reminders are queued this far ahead
    /// Push the owners' ordinary ACTION:DISPLAY alarms too (off: clients fire
    /// those), for calendars whose push-display-alarms property says nothing.
    bool display_alarms = false;
    /// The IANA zone floating and all-day events remind in when their
    /// calendar has no calendar-timezone ([api] time-zone).
    std::string time_zone = "UTC";
    /// A reminder found more than this late (the server was down) is skipped.
    std::int64_t skip_after_seconds = 3600;
    std::int64_t extend_every_seconds = 3600;  ///< how often the horizon job runs
    /// Delivery records older than this are pruned (longer than any horizon).
    std::int64_t keep_deliveries_seconds = 60 * 86400;
};

/// How a reminder reaches its recipient.
enum class ReminderMethod { email, push };

/// One reminder job's payload: one firing of one alarm.
struct Reminder {
    std::int64_t collection_id = 0;
    std::string owner_name;       ///< the calendar owner's URL name
    std::string collection_name;  ///< the calendar's URL segment
    std::string object_name;      ///< the member name
    std::string recurrence_id;    ///< ical::AlarmFiring::recurrence_id
    std::int64_t instance_start = 0, instance_end = 0;  ///< UTC seconds
    std::int64_t trigger_at = 0;  ///< UTC seconds: when it is due
    ReminderMethod method = ReminderMethod::email;
    std::vector<std::string> recipients;  ///< e-mail: bare addresses; push: empty (the owner)
    std::string alarm;  ///< the alarm's UID, or "#N" (its place in its component)
    int repetition = 0;
};

/// The payload text of `r` (one field a line) and back; nullopt when the text
/// is not such a payload.
std::string reminder_payload(const Reminder& r);
std::optional<Reminder> reminder_of_payload(std::string_view payload);

/// The key a delivery of `r` is recorded under (JobStore::complete_job_with):
/// the same firing of the same alarm of the same object, however often queued.
std::string reminder_delivery_key(const Reminder& r);

/// The reminder jobs of `source` due in (max(now, after), now + horizon],
/// per `policy` (ReminderIndexer's work). ACTION:EMAIL alarms become e-mail
/// reminders to the alarm's ATTENDEEs that are the owner's address, else to
/// the owner (never to other addresses: an alarm is not a way to send mail
/// to strangers); ACTION:DISPLAY alarms marked X-KALENDS-METHOD:push become
/// push reminders to the owner, and every DISPLAY alarm does when the
/// calendar's push-display-alarms says true (or says nothing and
/// policy.display_alarms is set). Floating and all-day times are read in
/// the calendar's calendar-timezone, else the owner's zone
/// (ReminderSource::owner_time_zone), else policy.time_zone. Never throws.
ReminderSchedule schedule_reminders(const ReminderSource& source, std::int64_t now, const ReminderPolicy& policy);

/// A calendar's push-display-alarms choice from its stored dead property
/// element (ReminderSource::display_alarms): true or false, nullopt when
/// absent or not one of these (the server's setting decides). Never throws.
std::optional<bool> display_alarms_choice(std::string_view property_xml);

/// The dead property that records a push-display-alarms choice.
DeadProperty display_alarms_property(bool push);

/// Whether `patch` of a calendar changes which reminders its objects have or
/// when they fire (its push-display-alarms choice, its calendar-timezone):
/// then the store re-indexes the calendar's objects in the same transaction.
bool patch_changes_reminders(const PropertyPatch& patch);

/// Whether `patch` of a collection may move its owner's zone (CollectionStore):
/// it sets or removes a calendar-timezone or the inbox's
/// schedule-default-calendar-URL. Then the store recomputes the owner's zone.
bool patch_changes_owner_zone(const PropertyPatch& patch);

/// The owner's zone (CollectionStore) from what a store reads in its
/// transaction: the IANA name of the zone of the calendar-timezone of the
/// default calendar (default_calendar_among's arguments), "" when that
/// calendar names no zone libical knows or there is no default calendar.
/// Never throws.
std::string owner_zone_among(std::string_view owner_name, std::string_view chosen_property_xml,
                             std::vector<CollectionRecord> collections);

/// Whether calendar `c` names a zone of its own for its floating times (a
/// calendar-timezone libical knows): the owner's zone does not apply to it.
bool has_own_zone(const CollectionRecord& c);

/// The owner's zone as the store keeps it (CollectionStore), "" when none;
/// what the reminder indexer was given for `owner_id`'s calendars.
std::string owner_time_zone(Store& store, std::int64_t owner_id);

/// The reminders an event created through the JSON API without a
/// "reminders" member gets (issue 26 §6): the VALARMs of its calendar's
/// CALDAV:default-alarm-vevent-datetime property, or -date for an all-day
/// event (draft-daboo-valarm-extensions §9; Apple Calendar sets them), read
/// as read_event reads alarms (triggers relative to the start, at or before
/// it). None when the property is absent, empty or not VALARM text.
std::vector<ical::ReminderSpec> default_reminders(Store& store, const CollectionRecord& calendar, bool all_day);

}  // namespace caldav

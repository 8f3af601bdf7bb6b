// The calendar service's event operations as apps see them (issue 24): create,
// read, change and delete an event or part of a series, answer it, list a range
// with recurring events expanded, and find what overlaps. Built on
// object_service (the same write path, scheduling and limits as a CalDAV PUT);
// knows no JSON and no HTTP. Errors are caldav::Error; a description that
// cannot become an event is EventFieldError (the API's 422 naming the field).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caldav/error.hpp"
#include "caldav/object_service.hpp"
#include "caldav/write_plan.hpp"
#include "ical/event_spec.hpp"

namespace caldav {

/// A description field that cannot become an event (the API answers 422).
class EventFieldError : public Error {
public:
    EventFieldError(std::string field, const std::string& detail)
        : Error(422, detail), field_(std::move(field)) {}
    const std::string& field() const { return field_; }

private:
    std::string field_;
};

/// Where an event lives, as the caller can reach it.
struct EventLocation {
    CollectionRecord calendar;
    std::string owner_name;
    ObjectRecord object;  ///< with data
};

/// Finds the event with UID `uid` in the calendars of the actor, then in
/// those shared with it for reading (view, edit, admin; issue 25). nullopt
/// when none. update_event, delete_event and rsvp_event change an event of
/// a shared calendar as its owner when the actor's grant (or delegation)
/// allows it, else answer 403 (issue 25 §6, caldav/shared_scheduling.hpp).
std::optional<EventLocation> find_event(Actor& actor, const std::string& uid);

/// Something the caller or a local attendee is busy with at the same time.
struct Conflict {
    std::string event_id;     ///< its UID
    std::string calendar_id;  ///< the calendar it is in (the caller's own only)
    std::string title;        ///< only for the caller's own events; empty otherwise
    std::string who;          ///< the address (bare email) of whose time it takes
    std::int64_t start = 0, end = 0;
};

/// The busy events of the actor and of the local `attendees` (bare emails)
/// overlapping the instances of `ics` (expanded up to `horizon_days` ahead),
/// leaving out the event `ics` itself (its UID). Sorted by start, at most `max` entries.
std::vector<Conflict> find_conflicts(Actor& actor, const std::string& ics, const std::vector<std::string>& attendees,
                                     int horizon_days, std::size_t max = 50);

/// find_conflicts with a clock: for an event that began before `now` (a
/// series running), the instances from `now` less the horizon on are checked
/// rather than those from its start.
std::vector<Conflict> find_conflicts(Actor& actor, const std::string& ics, const std::vector<std::string>& attendees,
                                     int horizon_days, std::size_t max, std::int64_t now);

/// A write refused because the event would overlap busy time
/// (reject_conflicts): 409 with what it overlaps.
class ConflictsError : public Error {
public:
    ConflictsError(std::vector<Conflict> conflicts, const std::string& detail)
        : Error(409, detail), conflicts_(std::move(conflicts)) {}
    const std::vector<Conflict>& conflicts() const { return conflicts_; }

private:
    std::vector<Conflict> conflicts_;
};

/// A new event and what creating it did.
struct CreatedEvent {
    /// The stored object: its data as stored, its ETag and Schedule-Tag;
    /// no id (it was not read back), times of `now`.
    EventLocation where;
    /// libical's parse of where.object.data (only to be read), or null.
    std::shared_ptr<icalcomponent_impl> parsed;
    ObjectPutOutcome outcome;
    std::vector<Conflict> conflicts;
};

/// Creates `spec` in `calendar` (the actor's; owner `owner_name`), organized
/// by the actor when it has attendees; invitations go out as for a CalDAV
/// PUT. With `reject_conflicts` a conflict throws Error 409 before anything
/// is written. `spec.uid` empty: a fresh UUID. The object is named UID.ics.
/// `if_none_match`: fail 412 when that name is taken (Idempotency-Key retries).
/// `record`: the Idempotency-Key answer committed with the event (issue 24).
CreatedEvent create_event(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                          ical::EventSpec spec, bool reject_conflicts, int horizon_days, std::int64_t now,
                          std::optional<IdempotencyRecord> record = std::nullopt);

/// Which part of a series a change applies to.
enum class EditScope { this_instance, all_future, all };

/// What a change did.
struct EditedEvent {
    std::string event_id;                  ///< the event changed (its UID)
    std::optional<std::string> exception_id;  ///< this_instance: "UID_YYYYMMDDTHHMMSSZ"
    std::optional<std::string> new_event_id;  ///< all_future: the new series' UID
    std::vector<Conflict> conflicts;
    std::string etag;                      ///< the changed object's ETag now (empty when the server rewrote it)
};

/// Applies `patch` to `scope` of the event (instance `instance` UTC seconds
/// for this_instance and all_future). `if_match`: the ETag the caller read
/// (412 when stale). Organizer changes go to attendees as for a CalDAV PUT;
/// all_future writes both series in one transaction.
EditedEvent update_event(Actor& actor, const EventLocation& event, const ical::EventPatch& patch, EditScope scope,
                         std::optional<std::int64_t> instance, const std::optional<std::string>& if_match,
                         bool reject_conflicts, int horizon_days, std::int64_t now);

/// Deletes `scope` of the event: one instance → EXDATE, all_future → UNTIL,
/// all → the object (cancellations as for a CalDAV DELETE). An attendee of
/// a meeting deletes their copy (all: a DECLINED reply) or declines one
/// instance (this_instance); all_future is the organizer's (403).
void delete_event(Actor& actor, const EventLocation& event, EditScope scope, std::optional<std::int64_t> instance,
                  const std::optional<std::string>& if_match, std::int64_t now);

/// The actor answers the invitation (`partstat` ACCEPTED, DECLINED,
/// TENTATIVE), for every instance or only `instance`; the organizer gets
/// the REPLY as from a CalDAV client. `comment` becomes the reply's COMMENT
/// when not empty. Returns the actor's attendee address (bare email).
std::string rsvp_event(Actor& actor, const EventLocation& event, const std::string& partstat,
                       std::optional<std::int64_t> instance, const std::string& comment, std::int64_t now);

/// One occurrence in a listing.
struct ListedInstance {
    std::string event_id;
    std::string calendar_id;
    /// The component the occurrence comes from (its override, or the master),
    /// shared with the parsed-event cache, never null: its values, but its
    /// own times (the occurrence's are start and end below).
    std::shared_ptr<const ical::EventView> view;
    std::int64_t start = 0, end = 0;      ///< this occurrence, UTC seconds
    bool is_recurring = false;
    std::optional<std::int64_t> instance_date;  ///< its RECURRENCE-ID (recurring events only)
    std::string my_status;                ///< "organizer", or the actor's PARTSTAT as API status; empty: not a meeting
    bool conflicts = false;               ///< overlaps another busy instance in the listing's calendars
    std::string etag;
};

/// The actor's events overlapping [start, end) in `calendars` (ids: a name
/// of the actor's own, "OWNER:NAME" of one shared with it for reading; all
/// of those when empty; only the actor's own count for conflicts), recurring ones expanded into instances, sorted by
/// start then event id. Throws Error 422 when the range yields more than
/// limits.max_instances instances.
std::vector<ListedInstance> list_events(Actor& actor, std::int64_t start, std::int64_t end,
                                        const std::vector<std::string>& calendars = {});

/// Where a page of a listing starts: after the occurrences that start before
/// `start`, and those starting at `start` whose event id is not after
/// `event_id` (the last one a previous page showed).
struct ListCursor {
    std::int64_t start = 0;
    std::string event_id;
};

/// One page of a listing.
struct ListedPage {
    std::vector<ListedInstance> instances;  ///< at most the limit asked, in listing order
    std::size_t total = 0;                  ///< occurrences in the whole listing
    bool more = false;                      ///< occurrences follow the page's last
};

/// The page of list_events() after `after` (from the first occurrence when
/// empty), at most `limit` occurrences: the same occurrences, order, total
/// and conflict flags as the whole listing, but only the page's are copied
/// out. Throws as list_events().
ListedPage list_events_page(Actor& actor, std::int64_t start, std::int64_t end,
                            const std::vector<std::string>& calendars, const std::optional<ListCursor>& after,
                            std::size_t limit);

/// "UID_YYYYMMDDTHHMMSSZ": the id of one instance of a series.
std::string instance_id(const std::string& uid, std::int64_t instance);

/// The API status of a PARTSTAT: NEEDS-ACTION → "pending", ACCEPTED →
/// "accepted", DECLINED → "declined", TENTATIVE → "tentative", DELEGATED → "delegated".
std::string api_status(const std::string& partstat);

}  // namespace caldav

// The calendar service's object operations (issue 23 §1): storing and
// deleting a calendar object resource with everything the action implies
// (validation, conditions, implicit scheduling, email), as one transaction.
// Every front end calls these: the DAV handlers (PUT, DELETE), and the JSON
// API to come; they throw caldav::Error with the status and CalDAV
// precondition to answer, and know nothing of HTTP messages or XML.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caldav/store.hpp"
#include "caldav/write_plan.hpp"

namespace caldav {

/// The conditions a client puts on a write (RFC 7232 §3.1-3.2, RFC 6638 §8.3).
struct WriteConditions {
    std::optional<std::string> if_match;  ///< an ETag, or "*": the object must exist
    bool if_none_match = false;           ///< the object must not exist
    std::optional<std::string> if_schedule_tag_match;
};

/// A calendar object to store.
struct ObjectPut {
    CollectionRecord calendar;      ///< a calendar collection
    std::string owner_name;         ///< the principal owning it (URL name)
    std::string name;               ///< the member name
    std::string data;               ///< iCalendar text as sent
    WriteConditions conditions;
    std::optional<ObjectRecord> current;  ///< the member as resolved (no data), when it exists
    /// libical's parse of current->data (or a clone that serialises alike:
    /// ical::clones_faithfully) when the caller holds one, with data; only
    /// read, as WritePlan::parse of that text (issue 24: an RSVP parsed its
    /// copy three times). Null: the plan parses it when it needs it.
    std::shared_ptr<icalcomponent> current_parsed;
    /// The tree the server serialised `data` from, when the server wrote it
    /// by editing a parse of valid data (an answer: answer_invitation_with);
    /// only read. The data is then validated from it rather than parsed
    /// again, as WritePlan::validated does for such texts. Null for what a
    /// client sent: that is always parsed.
    std::shared_ptr<icalcomponent> parsed;
    /// Committed with the object (JSON API Idempotency-Key, issue 24); a
    /// record already held for its key ends the call with Error 409 and
    /// nothing written.
    std::optional<IdempotencyRecord> idempotency;
};

/// The version a write stored, as the write knew it: the front end that
/// answers with the object (the JSON API's create) needs no read-back.
struct StoredVersion {
    std::string data;  ///< the bytes stored, scheduling's changes included
    std::string etag;  ///< of `data`
    /// libical's parse of `data` (or the tree the plan serialised into it),
    /// only to be read; null when the write had none at hand.
    std::shared_ptr<icalcomponent_impl> parsed;
};

/// What storing it did.
struct ObjectPutOutcome {
    bool created = false;
    /// The new ETag when what is stored is what was sent; empty when the
    /// server changed it (SCHEDULE-STATUS, merged replies: RFC 6638 §3.2, the
    /// client must read it back).
    std::string etag;
    std::string schedule_tag;  ///< the object's Schedule-Tag now; empty when it has none
    /// What is stored now (put_calendar_object and put_calendar_objects
    /// always fill it).
    std::optional<StoredVersion> stored;
};

/// Validates and stores a calendar object (RFC 4791 §5.3.2), and when it is
/// a scheduling object resource (RFC 6638 §3.1), everything implicit
/// scheduling writes and sends, in one transaction.
ObjectPutOutcome put_calendar_object(Actor& actor, ObjectPut put);

/// put_calendar_object for several objects of one user action (a series
/// split in two, issue 24): each validated and scheduled as alone, all of
/// them with everything their scheduling writes committed in one
/// transaction, or none. Outcomes in the order of `puts`; the first refused
/// put's error is thrown.
std::vector<ObjectPutOutcome> put_calendar_objects(Actor& actor, std::vector<ObjectPut> puts);

/// The actor, an attendee, answers the invitation held as `name` in their
/// `calendar` (owned by `owner_name`): their PARTSTAT becomes `partstat`
/// (ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION) in every instance, and the
/// REPLY goes to the organizer (RFC 6638 §3.2.2), exactly as when their
/// client writes the copy. 404 when there is no such object, 403
/// CALDAV:valid-calendar-data when the actor is not invited to it.
ObjectPutOutcome answer_invitation(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                                   const std::string& name, const std::string& partstat);

/// The text an answer stores; `of_parsed` when it is the serialisation of
/// the parse the edit was given, as the edit left it (then it is validated
/// from that tree: ObjectPut::parsed).
struct AnsweredCopy {
    std::string text;
    bool of_parsed = false;
};

/// What an answer makes of the attendee's copy: given its stored text, libical's
/// parse of it (ical::parse_calendar of `copy`, never null, the edit's to change)
/// and the actor's ATTENDEE address as written there, the text to store. An
/// edit on `parsed` followed by serialising it answers what the ical:: text
/// function of the same edit answers, without parsing `copy` again (issue 24).
/// May throw caldav::Error (e.g. no such instance).
using AnswerEdit =
    std::function<AnsweredCopy(const std::string& copy, icalcomponent* parsed, const std::string& attendee)>;

/// answer_invitation with the change made by `answer` (one instance's
/// PARTSTAT, a COMMENT): the copy read, checked to invite the actor, changed
/// and written over the version read (read again when the organizer wrote
/// meanwhile), with the REPLY as from a client.
ObjectPutOutcome answer_invitation_with(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                                        const std::string& name, const AnswerEdit& answer);

/// Deletes the member `name` of `collection` (a calendar: with its
/// cancellations or its attendee's declining reply, in one transaction;
/// `reply` false from "Schedule-Reply: F", RFC 6638 §8.1). `if_match` "*"
/// means only that it exists.
void remove_object(Actor& actor, const CollectionRecord& collection, const std::string& name,
                   const WriteConditions& conditions, bool reply = true);

}  // namespace caldav

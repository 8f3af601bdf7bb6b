// The storage interface the protocol layer needs (DESIGN.md "Data"); src/storage
// implements it over SQLite. Every write method is one durable transaction.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "caldav/limits.hpp"

namespace caldav {

struct WriteSet;
struct CommitResult;
struct IdempotencyRecord;

/// Typed outcome of a store operation; caldav/ maps these to statuses.
enum class StoreStatus {
    ok,
    not_found,      ///< the resource (or its parent) does not exist
    exists,         ///< a create found the name taken (If-None-Match, or a destination without Overwrite)
    etag_mismatch,  ///< an If-Match or If-Schedule-Tag-Match condition failed
    uid_conflict,   ///< another resource in the collection has this UID
    busy,           ///< the database stayed locked past the busy timeout
    full,           ///< disk or quota full
    conflict,       ///< a booking overlaps one the resource already holds
};

/// A user, room or resource that can own calendars.
struct PrincipalRecord {
    std::int64_t id = 0;
    std::string name;          ///< URL segment: /dav/principals/users/NAME/
    std::string kind;          ///< "user", "room" or "resource"
    std::string display_name;
    std::string email;         ///< calendar user address without "mailto:" (may be empty)
};

/// What a collection is (RFC 4791 calendar, RFC 6638 inbox/outbox, plain WebDAV).
enum class CollectionKind { calendar, inbox, outbox, plain };

/// A collection under a principal's calendar home.
struct CollectionRecord {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    std::string name;  ///< URL segment under /dav/calendars/OWNER/
    CollectionKind kind = CollectionKind::calendar;
    std::string display_name;
    std::string description;
    /// VCALENDAR text of calendar-timezone, or empty. An inbox holds no
    /// calendar-timezone: its field is its owner's zone instead (an IANA
    /// name, or empty), which the store keeps (CollectionStore).
    std::string timezone;
    std::string components;       ///< comma list, e.g. "VEVENT,VTODO"; empty = all
    std::int64_t revision = 0;    ///< grows by one with every member change
    std::int64_t sync_floor = 0;  ///< oldest revision a sync token may name
    std::int64_t created_at = 0;  ///< unix seconds
    std::int64_t modified_at = 0; ///< unix seconds
};

/// A calendar object resource and its index row.
struct ObjectRecord {
    std::int64_t id = 0;
    std::int64_t collection_id = 0;
    std::string name;  ///< URL segment, e.g. "abc.ics"
    std::string uid;
    std::string component;  ///< VEVENT, VTODO, VJOURNAL, ...
    std::string etag;       ///< without quotes
    std::string schedule_tag;
    std::int64_t size = 0;
    std::int64_t revision = 0;  ///< collection revision of the last change
    std::int64_t created_at = 0;
    std::int64_t modified_at = 0;
    std::optional<std::int64_t> first_start;  ///< UTC seconds; empty = unbounded
    std::optional<std::int64_t> last_end;     ///< UTC seconds; empty = unbounded
    std::string data;  ///< the stored bytes (iCalendar text for calendar objects), only when asked for
    /// The same bytes shared with a store's in-memory copy instead of copied
    /// into `data` (visit_objects_in_range and visit_objects_named may give
    /// them so); read the bytes with text().
    std::shared_ptr<const std::string> shared_data;
    /// When a store keeps it: text() already escaped for XML character data
    /// (xml::escape_append), as a report sends whole calendar-data. Escaping
    /// is then done once per change of the object, not once per answer.
    std::shared_ptr<const std::string> shared_escaped;
    /// Media type of a resource in a plain collection (RFC 4918 §9.7, any
    /// content); empty for a calendar object resource.
    std::string content_type;
    /// Set by visit_objects_in_range: the instance index proves that a VEVENT
    /// instance overlaps the range (RFC 4791 §9.9), so no parsing is needed.
    bool index_match = false;

    /// The stored bytes, from `shared_data` or `data`.
    std::string_view text() const { return shared_data ? std::string_view(*shared_data) : std::string_view(data); }
};

/// One row of the time index: an instance's [start, end] in UTC seconds and
/// the busy time it takes (RFC 4791 §7.10): -1 none, cancelled; 0 none,
/// transparent (it still occupies a room); 1 BUSY; 2 BUSY-TENTATIVE; empty
/// when the row does not decide it (a widened floating or all-day instance)
/// or predates schema 0011.
struct InstanceRow {
    std::int64_t start = 0, end = 0;
    std::optional<int> busy;
    bool declined = false;  ///< its component has an ATTENDEE with PARTSTAT=DECLINED
    /// Whether busy > 0 says BUSY-TENTATIVE rather than BUSY.
    bool tentative() const { return busy == 2; }
};

/// The materialized instances of one object (DESIGN.md "Data").
struct InstanceIndex {
    std::vector<InstanceRow> rows;
    /// Rows cover every instance starting before this time; empty: all instances.
    /// The minimum int64 means "no rows": the object is a candidate everywhere.
    std::optional<std::int64_t> indexed_until;
    bool exact = false;  ///< rows are exactly the VEVENT instances (no floating times)
};

/// One member change of a collection since a revision (RFC 6578).
struct Change {
    std::string name;
    std::int64_t revision = 0;
    bool deleted = false;
    std::optional<ObjectRecord> object;  ///< the member now (no data); empty when it is gone
};

/// A dead property (RFC 4918 §4): any property a client stored, kept as the
/// serialised element with its namespace declared on itself.
struct DeadProperty {
    std::string ns;
    std::string name;
    std::string xml;
};

/// A PROPPATCH of a collection or object, applied all or nothing (RFC 4918 §9.2).
struct PropertyPatch {
    std::optional<std::string> display_name;  ///< collections only
    std::optional<std::string> description;   ///< collections only
    std::optional<std::string> timezone;      ///< collections only
    std::vector<DeadProperty> set;
    std::vector<std::pair<std::string, std::string>> remove;  ///< (ns, name) of dead properties
};

/// Member changes since a revision, read in one snapshot together with the
/// collection's revision at that moment (the next sync token).
struct ChangeSet {
    std::vector<Change> changes;
    std::int64_t revision = 0;
};

/// A principal's calendar home as a collection of collections (RFC 6578 on the
/// home, schema 0008): its revision grows whenever a child collection is
/// created, deleted, has its properties changed or a member written.
struct HomeRecord {
    std::int64_t owner_id = 0;
    std::int64_t revision = 0;
    std::int64_t sync_floor = 0;   ///< oldest revision a sync token may name
    std::int64_t created_at = 0;   ///< unix seconds
    std::int64_t modified_at = 0;  ///< unix seconds
};

/// The name under which a sharee's home logs a change of a calendar shared
/// with them (issue 25 §7): "/shared/OWNER/CALENDAR". No collection's name
/// starts with "/", so it never stands for one of the home's own.
inline std::string shared_change_name(std::string_view owner, std::string_view calendar) {
    return "/shared/" + std::string(owner) + "/" + std::string(calendar);
}

/// One child collection changed in a home since a revision (RFC 6578).
struct HomeChange {
    std::string name;
    std::int64_t revision = 0;
    bool deleted = false;
    std::optional<CollectionRecord> collection;  ///< the child now; empty when it is gone
};

/// Child changes of a home since a revision, with the home's revision in the
/// same snapshot (the next sync token).
struct HomeChangeSet {
    std::vector<HomeChange> changes;
    std::int64_t revision = 0;
};

/// An email for the SMTP relay (iMIP, RFC 6047), composed by src/ and queued
/// durably by the store until the relay accepts it.
struct OutgoingMail {
    std::int64_t principal_id = 0;  ///< the user whose change sent it
    std::string uid;                ///< UID of the scheduling object it is about
    std::string recipient;          ///< bare address for SMTP RCPT TO
    std::string envelope_sender;    ///< bare address for SMTP MAIL FROM
    std::string message;            ///< the whole RFC 5322 message
};

/// What a write does to the object's Schedule-Tag (RFC 6638 §3.2.10).
enum class ScheduleTagChange {
    keep,   ///< as it is (an inconsequential change: a reply merged, a status recorded)
    renew,  ///< a new tag: the owner's client or the organizer changed the object
    clear,  ///< none: the object is not a scheduling object resource
};

/// Input of Store::put_object.
struct PutObject {
    std::int64_t collection_id = 0;
    std::string name;
    std::string uid;
    std::string component;
    std::string data;
    /// Media type of a non-calendar resource (plain collections); empty for a
    /// calendar object. The store gives such a resource a UID of its own name,
    /// so `uid` is ignored for it.
    std::string content_type;
    std::optional<std::int64_t> first_start;
    std::optional<std::int64_t> last_end;
    std::optional<InstanceIndex> instances;  ///< empty: rows to be built later (rebuild)
    std::optional<std::string> if_match;  ///< etag the current version must have
    bool if_none_match = false;           ///< fail with `exists` if the name is taken
    /// Schedule-Tag the current version must have (If-Schedule-Tag-Match,
    /// RFC 6638 §8.3); a missing object or tag fails too (`etag_mismatch`).
    std::optional<std::string> if_schedule_tag_match;
    ScheduleTagChange schedule_tag = ScheduleTagChange::keep;
};

/// Outcome of Store::put_object: the new etag, whether it was created, and on
/// uid_conflict the name of the object holding the UID.
struct PutResult {
    StoreStatus status = StoreStatus::ok;
    bool created = false;
    std::string etag;
    std::string conflicting_name;
    std::string schedule_tag;  ///< the object's Schedule-Tag now; empty when it has none
};

// The store in capabilities (issue 23 §5): a backend implements each
// interface below, and Store combines them for the protocol layer. Store's
// contract (thread safety, snapshots, durable writes) holds for each.

/// Principals (users, rooms and resources) as calendar users see them.
class PrincipalStore {
public:
    virtual ~PrincipalStore() = default;

    /// Looks a principal up by URL name.
    virtual std::optional<PrincipalRecord> find_principal(std::string_view name) = 0;

    /// Principals by name, at most `limit` of them, after `after` (keyset paging),
    /// for principal searches (RFC 3744 §9.4).
    virtual std::vector<PrincipalRecord> list_principals(std::string_view after, std::size_t limit) = 0;

    /// Looks a principal up by calendar user address (email, without "mailto:"),
    /// case-insensitively.
    virtual std::optional<PrincipalRecord> find_principal_by_email(std::string_view email) = 0;

    /// How a room or resource answers invitations: "accept-if-free", "always"
    /// or "manual" (users: "manual").
    virtual std::string booking_policy(std::int64_t principal_id) = 0;

    /// The limits set for this principal alone (issue 29 §6); all empty when
    /// none are, or when the store keeps none (test stores).
    virtual UserLimits user_limits(std::int64_t /*principal_id*/) { return {}; }
};

/// The collections of principals' calendar homes, with their properties.
///
/// The owner's zone (issue 26: floating times of calendars without a zone
/// of their own remind in it): the zone of the calendar-timezone of the
/// user's default calendar (default_calendar_among's choice), an IANA name
/// (caldav::owner_zone_among), or empty. Each store keeps it in the timezone
/// field of the user's inbox, so that the write of an object reads it with
/// the calendar it writes into, and recomputes it in every transaction that
/// may move it: a collection's calendar-timezone or the inbox's
/// schedule-default-calendar-URL patched (patch_changes_owner_zone), a
/// calendar created, deleted, copied or moved, a home provisioned. When it
/// changes, that transaction re-indexes the reminders of the user's
/// calendars that name no zone of their own.
class CollectionStore {
public:
    virtual ~CollectionStore() = default;

    /// Creates the principal's default collections (calendar, inbox, outbox) when
    /// missing; idempotent and cheap when they exist.
    virtual void provision_home(std::int64_t principal_id) = 0;

    /// All collections under a principal's home, by name.
    virtual std::vector<CollectionRecord> list_collections(std::int64_t owner_id) = 0;

    /// One collection by owner and name.
    virtual std::optional<CollectionRecord> find_collection(std::int64_t owner_id,
                                                            std::string_view name) = 0;

    /// Creates a collection with its initial dead properties, in one transaction;
    /// `exists` when the name is taken. Fills in `c.id` and the times.
    virtual StoreStatus create_collection(CollectionRecord& c,
                                          const std::vector<DeadProperty>& dead = {}) = 0;

    /// Dead properties of a collection (`object_name` empty) or of one member.
    virtual std::vector<DeadProperty> dead_properties(std::int64_t collection_id,
                                                      std::string_view object_name) = 0;

    /// Applies a property patch to a collection (`object_name` empty) or a
    /// member, in one transaction; `not_found` when the target is gone.
    virtual StoreStatus patch_properties(std::int64_t collection_id, std::string_view object_name,
                                         const PropertyPatch& patch) = 0;

    /// Bytes of calendar data a principal stores (RFC 4331 quota-used-bytes).
    virtual std::int64_t used_bytes(std::int64_t owner_id) = 0;

    /// Deletes a collection, its members and the plain collections nested in it
    /// (those named "NAME/..."), in one transaction.
    virtual StoreStatus delete_collection(std::int64_t collection_id) = 0;

    /// Copies (or, with `remove_source`, moves) the plain collection or
    /// calendar `from_name` of `owner_id` to `to_name` in one transaction
    /// (RFC 4918 §9.8.3, §9.9.2): its kind and properties, and with
    /// `with_members` its resources (with their Schedule-Tags and time index)
    /// and the plain collections nested in it, each logged for sync. The copy
    /// is a new collection: sync tokens of the source do not apply to it. A
    /// moved calendar keeps its grants, as they were, and its public feeds
    /// (issue 25 §7, §8); each grantee's home logs both its old and its new
    /// shared name (shared_change_name). A copy is shared with nobody. An existing destination
    /// collection (and what it holds) is replaced when `overwrite`, else
    /// `exists`. `not_found` when the source is gone. `created` tells whether
    /// the destination was new.
    virtual PutResult copy_collection(std::int64_t owner_id, std::string_view from_name, std::string_view to_name,
                                      bool with_members, bool overwrite, bool remove_source) = 0;

    /// The one-off pass for users stored before the owner's zone was kept
    /// (schema 0024 / PostgreSQL 0010 mark it owed): recomputes the zone of
    /// every user with an inbox as the transactions above do, re-indexing
    /// the reminders of the calendars without a zone of their own of those
    /// whose zone changed, and marks the pass done, in one transaction. Run
    /// at start after set_reminder_indexer; a second call, or a database
    /// that never owed it, does nothing. Returns how many users' zone changed.
    virtual std::size_t backfill_owner_zones() = 0;
};

/// The members of collections (calendar object resources and plain
/// resources) and their time index.
class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    /// Members of a collection, with or without their data.
    virtual std::vector<ObjectRecord> list_objects(std::int64_t collection_id,
                                                   bool with_data) = 0;

    /// Up to `limit` members whose names sort after `after`, by name (keyset
    /// paging for streamed answers).
    virtual std::vector<ObjectRecord> list_objects_page(std::int64_t collection_id,
                                                        std::string_view after, std::size_t limit,
                                                        bool with_data) = 0;

    /// Members whose indexed bounds may overlap [start, end] (empty = open):
    /// a superset of those with an instance in the range, for exact checks
    /// after. One at a time, in no particular order and inside one read:
    /// `visit` gets a record refilled for each member (no copy per member),
    /// its bytes in `data` or `shared_data` (ObjectRecord::text()). It may
    /// swap or move from the record, and must not call the store.
    virtual void visit_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                        std::optional<std::int64_t> end, bool with_data,
                                        const std::function<void(ObjectRecord&)>& visit) = 0;

    /// The members named (a multiget, RFC 4791 §7.9), in that order and inside
    /// one read, as visit_objects_in_range visits; a name that is not a
    /// member is skipped.
    virtual void visit_objects_named(std::int64_t collection_id, const std::vector<std::string>& names,
                                     bool with_data, const std::function<void(ObjectRecord&)>& visit) = 0;

    /// The same members collected, by name.
    std::vector<ObjectRecord> list_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                                    std::optional<std::int64_t> end, bool with_data) {
        std::vector<ObjectRecord> out;
        visit_objects_in_range(collection_id, start, end, with_data, [&](ObjectRecord& o) {
            if (o.shared_data) o.data.assign(*std::exchange(o.shared_data, nullptr));
            o.shared_escaped.reset();
            out.push_back(std::move(o));
        });
        std::sort(out.begin(), out.end(), [](const ObjectRecord& a, const ObjectRecord& b) { return a.name < b.name; });
        return out;
    }

    /// Free/busy of [start, end) from the time index (RFC 4791 §7.10). `rows`:
    /// the busy instance rows (busy > 0, overlapping the range) of the objects
    /// whose rows decide it (every row's busy known, rows past `end`, and with
    /// `declines_count`, no row of a component someone declined: the caller
    /// then leaves out what its user declined); `others`: the other objects
    /// that may overlap, with their data, for the caller to parse.
    struct IndexedBusy {
        std::vector<InstanceRow> rows;
        std::vector<ObjectRecord> others;
    };
    virtual IndexedBusy busy_in_range(std::int64_t collection_id, std::int64_t start, std::int64_t end,
                                      bool declines_count) = 0;

    /// The object with `uid` in any calendar collection of `owner_id` (with data).
    virtual std::optional<ObjectRecord> find_object_by_uid(std::int64_t owner_id, std::string_view uid) = 0;

    /// put_object for a booking of a room or resource owned by `owner_id`: in
    /// the same transaction, refuses with `conflict` when an instance of the
    /// object overlaps an instance of another object in the owner's calendars,
    /// so that of two concurrent bookings of one slot exactly one wins.
    virtual PutResult book_if_free(const PutObject& object, std::int64_t owner_id) = 0;

    /// Up to `limit` objects (with data) whose instance rows are missing, e.g.
    /// after an upgrade, for rebuilding.
    virtual std::vector<ObjectRecord> objects_without_index(std::size_t limit) = 0;

    /// Replaces the instance rows of one object.
    virtual StoreStatus set_instances(std::int64_t object_id, const InstanceIndex& index) = 0;

    /// One member by name, with or without its data.
    virtual std::optional<ObjectRecord> find_object(std::int64_t collection_id,
                                                    std::string_view name, bool with_data) = 0;

    /// Creates or replaces a member, checking conditions and UID uniqueness in
    /// the same transaction; bumps the collection revision and logs the change.
    /// Replacing calendar data with calendar data of another UID is
    /// `uid_conflict` with `conflicting_name` the member itself (RFC 4791
    /// §5.3.2.1: the UID of a resource cannot change).
    virtual PutResult put_object(const PutObject& object) = 0;

    /// Deletes a member (optionally only when its etag is `if_match` and its
    /// Schedule-Tag is `if_schedule_tag_match`; else `etag_mismatch`).
    virtual StoreStatus delete_object(std::int64_t collection_id, std::string_view name,
                                      const std::optional<std::string>& if_match,
                                      const std::optional<std::string>& if_schedule_tag_match = std::nullopt) = 0;

    /// Applies every write of one user action and queues its mail and jobs in
    /// one durable transaction, or nothing (caldav/write_set.hpp). Each write
    /// checks its conditions as put_object, delete_object and book_if_free do.
    virtual CommitResult commit(const WriteSet& writes) = 0;

    /// Copies (or, with `remove_source`, moves) a member and its dead properties
    /// to another name and/or collection in one transaction, checking the
    /// destination's UID uniqueness; the copy keeps the source's Schedule-Tag.
    /// `exists` when the destination is taken and `overwrite` is false;
    /// `uid_conflict` naming the destination when it holds calendar data of
    /// another UID (its UID cannot change, RFC 4791 §5.3.2.1).
    virtual PutResult copy_object(std::int64_t from_collection, std::string_view from_name,
                                  std::int64_t to_collection, std::string_view to_name,
                                  bool overwrite, bool remove_source) = 0;

};

/// What changed in a collection or a home since a revision (RFC 6578): the
/// ordered change log that sync tokens name positions in.
class ChangeLog {
public:
    virtual ~ChangeLog() = default;

    /// Member changes with revision > `since`, oldest first, at most `limit`.
    /// Returns nullopt when `since` is older than the collection's sync floor,
    /// newer than its revision, or the collection is gone.
    virtual std::optional<ChangeSet> changes_since(std::int64_t collection_id, std::int64_t since,
                                                   std::size_t limit) = 0;

    /// Every current member (metadata, no data) in name order, with the
    /// collection's revision read in the same snapshot: an initial sync
    /// answered as a listing. nullopt when the collection is gone or has
    /// `limit` members or more (then changes_since pages by revision).
    virtual std::optional<ChangeSet> current_members(std::int64_t collection_id, std::size_t limit) = 0;

    /// The sync state of a principal's calendar home; nullopt when the
    /// principal is gone.
    virtual std::optional<HomeRecord> find_home(std::int64_t owner_id) = 0;

    /// Child collections of a home changed with home revision > `since`, oldest
    /// first, at most `limit`. nullopt when `since` is older than the home's
    /// sync floor, newer than its revision, or the principal is gone.
    virtual std::optional<HomeChangeSet> home_changes_since(std::int64_t owner_id, std::int64_t since,
                                                            std::size_t limit) = 0;
};

/// The recorded answers to POSTs sent with an Idempotency-Key (issue 24): a
/// record is written by Store::commit in the transaction of the write it
/// answers (WriteSet::idempotency, caldav/write_set.hpp), so a retry finds
/// either both or neither.
class IdempotencyStore {
public:
    virtual ~IdempotencyStore() = default;

    /// The answer recorded for `key` of `principal_id`, whatever its age
    /// (the caller compares created_at with its own window); nullopt when none.
    virtual std::optional<IdempotencyRecord> find_idempotency(std::int64_t principal_id,
                                                              std::string_view key) = 0;

    /// Deletes up to `limit` records created before `created_before` (unix
    /// seconds), oldest first; returns how many went. `busy`/`full` errors
    /// count as none deleted.
    virtual std::size_t prune_idempotency(std::int64_t created_before, std::size_t limit) = 0;
};

/// What a calendar is shared for (issue 25 §1): caldav/privileges.cpp maps
/// each to RFC 3744 privileges.
enum class SharePermission {
    free_busy,  ///< busy time only (read-free-busy): never titles, attendees or descriptions
    view,       ///< read
    edit,       ///< read, create and update members (not delete them)
    admin,      ///< also delete members and change the calendar's properties
};

/// The name of `p` as the admin commands, the JSON API and the store spell it
/// ("free-busy", "view", "edit", "admin").
constexpr std::string_view share_permission_name(SharePermission p) {
    switch (p) {
        case SharePermission::free_busy: return "free-busy";
        case SharePermission::view: return "view";
        case SharePermission::edit: return "edit";
        case SharePermission::admin: return "admin";
    }
    return "view";
}

/// The permission `name` spells (share_permission_name); nullopt for any other text.
constexpr std::optional<SharePermission> parse_share_permission(std::string_view name) {
    for (auto p : {SharePermission::free_busy, SharePermission::view, SharePermission::edit, SharePermission::admin})
        if (share_permission_name(p) == name) return p;
    return std::nullopt;
}

/// Where a grant's invitation stands (schema 0017): only an accepted grant
/// gives privileges.
enum class InviteStatus {
    pending,   ///< invited over CalDAV, no reply yet
    accepted,  ///< in force (admin commands and the JSON API grant accepted)
    declined,  ///< the sharee said no, or removed the calendar from their home
};

/// One grant: a calendar of `owner` shared with `grantee` (schemas 0016, 0017).
struct GrantRecord {
    std::int64_t collection_id = 0;
    std::string collection_name;  ///< URL segment of the calendar under the owner's home
    PrincipalRecord owner;
    PrincipalRecord grantee;
    SharePermission permission = SharePermission::view;
    std::int64_t created_at = 0;  ///< unix seconds of the first grant (kept when it changes)
    InviteStatus status = InviteStatus::accepted;
    std::string invite_uid;  ///< the invitation's CS:uid (empty for grants not made by invitation)
    std::string summary;     ///< what the sharer wrote with the invitation
    /// The grantee's own DAV:displayname and calendar colour for the calendar
    /// (caldav-sharing §5.5.3); nullopt: the owner's.
    std::optional<std::string> sharee_display_name;
    std::optional<std::string> sharee_color;
};

/// One notification message (caldav-sharing §4) in a principal's notification collection.
struct NotificationRecord {
    std::int64_t principal_id = 0;
    std::string name;  ///< resource name ("UID.xml")
    std::string type;  ///< local name of the notification element ("invite-notification")
    std::string body;  ///< the whole CS:notification XML document
    std::int64_t created_at = 0;  ///< unix seconds
};

/// Calendars shared with other principals (issue 25): at most one grant per
/// calendar and grantee, gone with the calendar or either principal. A write
/// that changes a grant moves the sync state of the owner's home (the shared
/// calendar) and of the grantee's home (issue 25 §7).
class GrantStore {
public:
    virtual ~GrantStore() = default;

    /// Shares calendar collection `collection_id` with `grantee_id` for
    /// `permission`, replacing the grant they had; `not_found` when the
    /// collection (or principal) is gone or is not a calendar, `exists` when
    /// the grantee owns it.
    virtual StoreStatus set_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                  SharePermission permission) = 0;

    /// Removes the grant of `grantee_id` on `collection_id`; `not_found` when there is none.
    virtual StoreStatus remove_grant(std::int64_t collection_id, std::int64_t grantee_id) = 0;

    /// The grants on one calendar, by grantee name.
    virtual std::vector<GrantRecord> grants_of_collection(std::int64_t collection_id) = 0;

    /// The calendars shared with `grantee_id` whose grants are accepted, by
    /// owner name and calendar name.
    virtual std::vector<GrantRecord> grants_to_principal(std::int64_t grantee_id) = 0;

    /// Invites `grantee_id` to calendar `collection_id` for `permission`
    /// (CalDAV sharing): a new grant, or a declined one, is pending with
    /// `invite_uid` until the grantee replies; a pending or accepted one keeps
    /// its status and uid and takes the new permission. `summary` is kept.
    /// Fails like set_grant.
    virtual StoreStatus invite_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                     SharePermission permission, std::string_view summary,
                                     std::string_view invite_uid) = 0;

    /// Records the grantee's answer (accepted or declined) on their grant;
    /// declining forgets their own name and colour. `not_found` when there is
    /// no such grant. Moves the sync state of both homes.
    virtual StoreStatus reply_to_invite(std::int64_t collection_id, std::int64_t grantee_id,
                                        InviteStatus status) = 0;

    /// Sets the grantee's own name and colour for a shared calendar (nullopt
    /// clears one); `not_found` when there is no such grant. Moves the
    /// grantee's home.
    virtual StoreStatus set_sharee_properties(std::int64_t collection_id, std::int64_t grantee_id,
                                              std::optional<std::string> display_name,
                                              std::optional<std::string> color) = 0;

    /// Moves the home of every grantee of calendar `collection_id`, logging
    /// the shared calendar as changed there (issue 25 §7: its owner renamed
    /// or recoloured it), so that their home's sync-collection and ctag
    /// report it. The default stores each grant's own properties again,
    /// which moves the grantee's home as set_sharee_properties does.
    virtual void touch_sharee_homes(std::int64_t collection_id) {
        for (const auto& g : grants_of_collection(collection_id))
            (void)set_sharee_properties(collection_id, g.grantee.id, g.sharee_display_name, g.sharee_color);
    }

    /// Stores `n` in its principal's notification collection, replacing the
    /// one of the same name; `not_found` when the principal is gone.
    virtual StoreStatus put_notification(const NotificationRecord& n) = 0;

    /// The notifications of `principal_id`, by name.
    virtual std::vector<NotificationRecord> notifications_of(std::int64_t principal_id) = 0;

    /// Removes one notification; `not_found` when there is none of that name.
    virtual StoreStatus remove_notification(std::int64_t principal_id, std::string_view name) = 0;
};

/// What a delegate may do for the delegator (CalendarServer's
/// calendar-proxy-read and calendar-proxy-write groups, issue 25 §5).
enum class ProxyMode { read, write };

/// One delegation: `delegate` is in `delegator`'s proxy group of `mode`.
struct DelegationRecord {
    PrincipalRecord delegator;
    PrincipalRecord delegate;
    ProxyMode mode = ProxyMode::read;
};

/// Delegation (issue 25 §5; schema 0020): a principal's read and write
/// proxies, one row per delegator and delegate, gone with either principal.
/// A principal is in at most one of another's two groups. The defaults
/// answer "none" for backends that do not keep delegations.
class DelegationStore {
public:
    virtual ~DelegationStore() = default;

    /// Makes `delegate_ids` the whole `mode` group of `delegator_id` (a
    /// delegate moves from the other group); the delegator and unknown ids
    /// are skipped. Moves the sync state of the homes of everybody whose
    /// access changes. `not_found` when the delegator is gone.
    virtual StoreStatus set_delegates(std::int64_t delegator_id, ProxyMode mode,
                                      const std::vector<std::int64_t>& delegate_ids) {
        (void)delegator_id, (void)mode, (void)delegate_ids;
        return StoreStatus::not_found;
    }

    /// The delegates of `delegator_id`, by mode then name.
    virtual std::vector<DelegationRecord> delegations_of(std::int64_t delegator_id) {
        (void)delegator_id;
        return {};
    }

    /// Whom `delegate_id` is a delegate of, by delegator name.
    virtual std::vector<DelegationRecord> delegations_to(std::int64_t delegate_id) {
        (void)delegate_id;
        return {};
    }
};

/// While one lives, reads made through the store that made it may share one
/// snapshot (and what it costs to begin one).
class ReadScope {
public:
    virtual ~ReadScope() = default;
};

/// The persistent state of the server as the protocol layer uses it.
/// Implementations are thread-safe; reads see a consistent snapshot; every
/// mutating call is atomic and durable when it returns StoreStatus::ok.
class Store : public PrincipalStore, public CollectionStore, public ObjectStore, public ChangeLog,
              public IdempotencyStore, public GrantStore, public DelegationStore {
public:
    /// A scope around work of the calling thread that is mostly reads (a
    /// read-only request): its reads may see one snapshot until the scope
    /// ends; a write on the thread ends the snapshot first. nullptr when the
    /// backend has no such batching (each read is then its own snapshot).
    virtual std::unique_ptr<ReadScope> read_scope() { return nullptr; }

    /// An owner's change of the own properties of calendar `collection_id`
    /// as one user action (issue 25 §7): patch_properties of the calendar and
    /// touch_sharee_homes, so that no grantee's home misses the new name or
    /// colour. Returns patch_properties' status; the homes move only on ok.
    /// The default runs the two calls one after the other, each its own
    /// transaction; a backend overrides it to make them one.
    virtual StoreStatus patch_shared_collection_properties(std::int64_t collection_id, const PropertyPatch& patch) {
        auto status = patch_properties(collection_id, {}, patch);
        if (status == StoreStatus::ok) touch_sharee_homes(collection_id);
        return status;
    }

    /// An owner's deletion of collection `collection_id` as one user action
    /// (issue 25 §7): each of its grants as remove_grant does (the grantee's
    /// home logs the calendar gone), each grant's invitation notification
    /// ("INVITE-UID.xml" in the grantee's notification collection, caldav-
    /// sharing §4), then the collection as delete_collection does. Returns
    /// delete_collection's status, or the first failure of a grant's removal
    /// (a grant already gone is no failure). The default runs the calls one
    /// after the other, each its own transaction; a backend overrides it to
    /// make them one.
    virtual StoreStatus delete_collection_with_shares(std::int64_t collection_id) {
        for (const auto& g : grants_of_collection(collection_id)) {
            auto status = remove_grant(collection_id, g.grantee.id);
            if (status != StoreStatus::ok && status != StoreStatus::not_found) return status;
            if (!g.invite_uid.empty()) (void)remove_notification(g.grantee.id, g.invite_uid + ".xml");
        }
        return delete_collection(collection_id);
    }
};

}  // namespace caldav

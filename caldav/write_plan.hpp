// Plan, then commit (issue 23 §3): a user action reads what it needs and
// collects every write it makes (its own object, the attendees' copies and
// inbox items, room bookings, email) in a WritePlan; Store::commit applies
// them together or not at all. A write made over a version the plan read
// carries that version as its condition: when somebody wrote meanwhile, the
// commit is refused and the action planned again from what is there now.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"
#include "caldav/write_set.hpp"
#include "ical/calendar_data.hpp"

namespace caldav {

class Alongside;
class ImipGateway;
struct CalendarData;

/// Who acts, on which store and within which limits: the front ends (a DAV
/// request, an RSVP link, an iMIP message) each make one for the principal
/// they act for.
struct Actor {
    Store& store;
    const Limits& limits;
    PrincipalRecord principal;
    ImipGateway* imip = nullptr;  ///< email for external calendar users; nullptr: none is sent
    /// Issue 25 §6: the sharee or proxy-write delegate who acts for
    /// `principal` (the calendar's owner), named as SENT-BY; nullopt when the
    /// principal acts for themselves (caldav/shared_scheduling.hpp).
    std::optional<PrincipalRecord> sent_by = std::nullopt;
    /// Where work may run beside the action (caldav/alongside.hpp); nullptr:
    /// everything on the caller's thread.
    Alongside* alongside = nullptr;
};

/// What an earlier attempt of an action learnt at its commit.
struct PlanHints {
    std::set<std::int64_t> busy_rooms;  ///< rooms whose booking was refused as a conflict
};

/// The writes of one action being planned. Reads go to the store but see the
/// writes planned so far: an object planned twice is written once, in its
/// last version, under the condition of the first.
class WritePlan {
public:
    WritePlan(Store& store, PlanHints hints = {}) : store_(store), hints_(std::move(hints)) {}

    Store& store() { return store_; }

    /// Plans `object` into a collection of `owner_id`. `client` marks a write
    /// whose conditions are the client's own (its refusal is the answer,
    /// not a reason to plan again). Returns its index in the set.
    std::size_t put(PutObject object, std::int64_t owner_id, bool client = false);

    /// Plans a booking of room `owner_id` (ObjectWrite::Kind::book).
    void book(PutObject object, std::int64_t owner_id);

    /// Plans the deletion of `name` in `collection_id` of `owner_id`, made
    /// over the version `if_match` (nullopt: any); `client` as for put().
    std::size_t remove(std::int64_t collection_id, std::int64_t owner_id, std::string name,
                       std::optional<std::string> if_match, bool client = false,
                       std::optional<std::string> if_schedule_tag_match = std::nullopt);

    /// Records the answer `r` with the writes (WriteSet::idempotency).
    void record(IdempotencyRecord r) { set_.idempotency = std::move(r); }

    /// Queues `mail` with the writes.
    void mail(OutgoingMail mail) { set_.mail.push_back(std::move(mail)); }

    /// Queues `job` with the writes.
    void job(NewJob job) { set_.jobs.push_back(std::move(job)); }

    /// The object with `uid` in the calendars of `owner_id` as it is once
    /// the plan commits (with data); nullopt when there is none or the plan
    /// deletes it.
    std::optional<ObjectRecord> find_by_uid(std::int64_t owner_id, std::string_view uid);

    /// True when the plan or the store holds `name` in `collection_id`.
    bool name_taken(std::int64_t collection_id, std::string_view name);

    /// The local principal a calendar user address names, each looked up once per plan.
    std::optional<PrincipalRecord> principal_of(std::string_view address);

    /// validate_calendar_data of `data`, each text validated once per plan:
    /// the inbox items and new copies of several attendees are the same
    /// text (issue 24: a create with two attendees validated five times).
    /// Throws as validate_calendar_data does; `parsed` is left empty (the
    /// parse is kept for the writes of this text: keep_parse).
    ///
    /// A text the plan holds a tree for (keep_parse, parse, remember) is
    /// validated from that tree: its characters are checked on the text,
    /// the rest on the tree, which is not parsed again. For a parse that is
    /// the same check. For an edit's result it relies on libical reading back
    /// what it wrote: the server's edits only remove parts, move parts
    /// between parses of valid data, and set tokens (PARTSTAT,
    /// SCHEDULE-STATUS, METHOD, DTSTAMP) or escaped TEXT.
    /// cross_check_validation makes every such validation run the text's
    /// too, for tests: a difference is counted in validation_mismatches and
    /// written to stderr.
    const CalendarData& validated(const std::string& data, const Limits& limits);

    static std::atomic<bool> cross_check_validation;
    static std::atomic<int> validation_mismatches;

    /// Keeps `parsed`, libical's parse of exactly `data` made by its
    /// validation, for the writes of this text (ObjectWrite::parsed): the
    /// store's reminder indexer reads it instead of parsing again.
    void keep_parse(const std::string& data, std::shared_ptr<icalcomponent_impl> parsed);

    /// ical::attendee_copy of `data` (no status), made once per plan.
    const std::string& attendee_copy(const std::string& data);

    /// libical's parse of `data` (ical::parse_calendar), made once per plan
    /// (issue 24: an RSVP parsed the same few texts 25 times) and owned by
    /// the plan until it ends; null when `data` does not parse. Callers only
    /// read it: an edit works on a clone (copy_of).
    icalcomponent* parse(const std::string& data);

    /// A clone of parse(data) for the caller to edit and free (a parse of
    /// `data` when a clone would not serialise alike: ical::clones_faithfully);
    /// null when `data` does not parse.
    ical::ComponentPtr copy_of(const std::string& data);

    /// Takes `calendar`, the component `data` was serialised from (an edit's
    /// result), as parse(data) from now on (not when a parse is kept already).
    void remember(const std::string& data, ical::ComponentPtr calendar);

    /// The parse the plan holds for `data` (keep_parse, parse or remember),
    /// shared, to be read after the plan ends; null when none.
    std::shared_ptr<icalcomponent_impl> parse_of(const std::string& data) const;

    /// True when an earlier attempt found room `id` booked at this time.
    bool room_busy(std::int64_t id) const { return hints_.busy_rooms.contains(id); }

    const WriteSet& writes() const { return set_; }
    bool empty() const { return set_.writes.empty() && set_.mail.empty() && set_.jobs.empty(); }

    /// After a refused commit: the hints for the next attempt, or nullopt
    /// when the refusal is the client's answer (a condition of its own) or
    /// the store failed (busy, full): then planning again would not help.
    std::optional<PlanHints> replan(const CommitResult& result) const;

private:
    void cross_check(const std::string& data, icalcomponent* parsed, const Limits& limits);

    struct Planned {
        std::int64_t owner_id = 0;
        bool client = false;
    };
    std::optional<std::size_t> planned(std::int64_t collection_id, std::string_view name) const;

    Store& store_;
    PlanHints hints_;
    WriteSet set_;
    std::vector<Planned> planned_;  ///< beside set_.writes, one per write
    std::vector<std::pair<std::string, std::optional<PrincipalRecord>>> principals_;
    std::map<std::string, std::shared_ptr<const CalendarData>, std::less<>> validated_;
    std::map<std::string, std::string, std::less<>> copies_;
    /// keep_parse, parse and remember; null: the text does not parse. An
    /// entry is never replaced: parse() hands out its pointer.
    std::map<std::string, std::shared_ptr<icalcomponent_impl>, std::less<>> parses_;
};

}  // namespace caldav

// Implicit scheduling (RFC 6638 §3.2, iTIP RFC 5546): local users get the
// message in their inbox and calendar, external users get email (iMIP,
// RFC 6047); every write and email is planned into the action's WritePlan,
// committed in one transaction with the write that caused it (issue 23 §3).
#include "caldav/scheduling.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/imip.hpp"
#include "caldav/message.hpp"
#include "caldav/observers.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/resource_path.hpp"
#include "ical/itip.hpp"
#include "ical/schedule_merge.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

namespace {

/// A fresh inbox member name: scheduling messages are not unique by UID.
std::string message_name() {
    static std::atomic<std::uint64_t> counter{0};
    return "itip-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(counter++) + ".ics";
}

/// The name of an attendee's new copy: UID.ics when the UID is a plain name
/// and free there (clients such as python3-caldav address a copy by its UID),
/// else a generated one.
std::string copy_name(WritePlan& plan, std::int64_t calendar_id, std::string_view uid) {
    bool plain = !uid.empty() && uid.size() <= 200 && uid.front() != '.' &&
                 std::all_of(uid.begin(), uid.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                            c == '.' || c == '@';
                 });
    if (plain) {
        std::string name = std::string(uid) + ".ics";
        if (!plan.name_taken(calendar_id, name)) return name;
    }
    return message_name();
}

/// Where a planned object write goes and over which version.
struct Slot {
    std::int64_t owner_id = 0;
    std::int64_t collection_id = 0;
    std::string name;
    /// The ETag of the version read and written over; nullopt: a new name.
    std::optional<std::string> over;
};

/// Plans `data` into `slot`, indexed like a PUT (validated: false when it is
/// not valid calendar data). An iTIP message (`message`) goes to an inbox:
/// indexed as the object it describes (RFC 4791 §4.1 forbids METHOD in a
/// calendar object resource), with a UID of its own name and no
/// Schedule-Tag. With `booking`, a room's booking (ObjectWrite::Kind::book).
bool plan_object(Actor& actor, WritePlan& plan, const Slot& slot, const std::string& data, bool message,
                 ScheduleTagChange tag, bool booking = false) {
    const CalendarData* index = nullptr;
    try {
        // Validated once per plan: several attendees get the same message and copy.
        index = &plan.validated(message ? plan.attendee_copy(data) : data, actor.limits);
    } catch (const Error&) {
        return false;
    }
    PutObject put;
    put.collection_id = slot.collection_id;
    put.name = slot.name;
    put.uid = message ? slot.name : index->uid;
    put.component = index->component;
    put.data = data;
    put.first_start = index->first_start;
    put.last_end = index->last_end;
    put.instances = index->instances;
    put.schedule_tag = message ? ScheduleTagChange::clear : tag;
    put.if_match = slot.over;
    put.if_none_match = !slot.over;
    if (booking)
        plan.book(std::move(put), slot.owner_id);
    else
        plan.put(std::move(put), slot.owner_id);
    return true;
}

/// The slot of an object read (or planned) before.
Slot slot_of(std::int64_t owner_id, const ObjectRecord& o) {
    return {owner_id, o.collection_id, o.name, o.etag};
}

// Issue 24: the texts of one plan are parsed once (WritePlan::parse) and
// each edit works on a clone of that parse; the component an edit made is
// remembered as the parse of the text it serialises to, so the steps after
// (validation aside) read it instead of parsing that text again. Each helper
// answers what the ical:: text function of the same name answers.

/// scheduling_info of `data` through the plan's parse.
std::optional<ical::SchedulingInfo> info_of(WritePlan& plan, const std::string& data) {
    icalcomponent* parsed = plan.parse(data);
    return parsed ? ical::scheduling_info(parsed) : std::nullopt;
}

/// ical::itip_message of `data`.
std::string itip_of(WritePlan& plan, const std::string& data, std::string_view method) {
    auto edited = plan.copy_of(data);
    if (!edited) return data;
    auto text = ical::itip_message(edited.get(), method);
    plan.remember(text, std::move(edited));
    return text;
}

/// ical::merge_attendee_copy of `incoming` over `existing`.
std::string merged_copy(WritePlan& plan, const std::string& incoming, const std::string& existing,
                        std::string_view attendee) {
    auto edited = plan.copy_of(incoming);
    icalcomponent* own = plan.parse(existing);
    if (!edited || !own) return incoming;
    auto text = ical::merge_attendee_copy(edited.get(), own, attendee);
    plan.remember(text, std::move(edited));
    return text;
}

/// ical::same_for_attendees(existing, ical::merge_attendee_copy(incoming,
/// existing, attendee)): `existing` is in step with `incoming` but for what
/// the merge keeps of its own.
bool in_step_with(WritePlan& plan, const std::string& existing, const std::string& incoming,
                  std::string_view attendee) {
    auto edited = plan.copy_of(incoming);
    icalcomponent* own = plan.parse(existing);
    if (!edited || !own) return false;  // the merge answers `incoming`, and one side does not parse
    ical::merge_into_attendee_copy(edited.get(), own, attendee);  // only compared: not serialised
    auto view = plan.copy_of(existing);
    return ical::same_for_attendees(view.get(), edited.get());
}

/// ical::same_for_attendees of two texts.
bool same_for_attendees(WritePlan& plan, const std::string& a, const std::string& b) {
    auto x = plan.copy_of(a);
    auto y = plan.copy_of(b);
    return ical::same_for_attendees(x.get(), y.get());
}

/// ical::attendee_reply of the change `before` → `now`.
std::optional<std::string> reply_of(WritePlan& plan, const std::string& before, const std::string& now,
                                    std::string_view attendee, bool force) {
    auto edited = plan.copy_of(now);
    if (!edited) return std::nullopt;
    auto reply = ical::attendee_reply(before.empty() ? nullptr : plan.parse(before), edited.get(), attendee, force);
    if (reply) plan.remember(*reply, std::move(edited));
    return reply;
}

/// ical::apply_reply of `reply` to `copy`.
std::optional<ical::ReplyApplication> applied_reply(WritePlan& plan, const std::string& copy,
                                                    const std::string& reply) {
    icalcomponent* answer = plan.parse(reply);
    auto edited = answer ? plan.copy_of(copy) : nullptr;
    if (!edited) return std::nullopt;
    auto applied = ical::apply_reply(edited.get(), copy, answer);
    if (applied && applied->changed) plan.remember(applied->data, std::move(edited));
    return applied;
}

/// The iCalendar value of the user's calendar-user-address for scheduling.
std::optional<std::string> partstat_of(const ical::SchedulingInfo& info, std::string_view address) {
    for (const auto& a : info.attendees)
        if (ical::same_address(a.address, address)) return a.partstat;
    return std::nullopt;
}

/// The attendee entry of the user in `info`, if the user is invited.
const ical::Attendee* own_entry(const PrincipalRecord& user, const ical::SchedulingInfo& info) {
    for (const auto& a : info.attendees)
        if (is_own_address(user, a.address)) return &a;
    return nullptr;
}

/// RFC 5546 §3.2: only an event's organizer changes the attendees' copies of
/// it. True when `copy` (a stored object) is organized by `organizer`: the
/// same calendar user address, or two addresses of one local principal.
/// Delivery finds copies by UID alone, and a UID is anybody's to choose: a
/// copy organized by somebody else (or by nobody: the attendee's own event)
/// is not the sender's to change.
bool organized_by(WritePlan& plan, const std::string& copy, std::string_view organizer) {
    auto info = info_of(plan, copy);
    if (!info || info->organizer.empty()) return false;
    if (ical::same_address(info->organizer, organizer)) return true;
    auto theirs = plan.principal_of(info->organizer);
    auto sender = theirs ? plan.principal_of(organizer) : std::nullopt;
    return sender && theirs->id == sender->id;
}

/// What the organizer's copy learns from a round of deliveries.
struct Outcome {
    std::vector<std::pair<std::string, std::string>> statuses;   ///< SCHEDULE-STATUS per address
    std::vector<std::pair<std::string, std::string>> partstats;  ///< answers given at once (rooms)
};

/// RFC 6047: an iTIP message for a calendar user with no local account goes by
/// email when a relay is configured. False when it cannot be sent.
bool send_by_email(Actor& actor, WritePlan& plan, std::string_view recipient, const std::string& message) {
    if (!actor.imip) return observe_delivery(DeliveryRoute::imip, false);
    auto composed = actor.imip->compose(actor.principal, recipient, message);
    if (!composed) return observe_delivery(DeliveryRoute::imip, false);
    plan.mail(std::move(*composed));
    return observe_delivery(DeliveryRoute::imip, true);
}

/// SCHEDULE-STATUS of a delivery refused because the sender is not the
/// organizer of the recipient's copy (RFC 5546 §3.6: 3.8, "No authority").
constexpr std::string_view no_authority = "3.8";

/// A room or resource with an automatic policy answers at once: the booking is
/// stored when free (checked when the plan commits: of two concurrent
/// bookings of one slot, one is refused and planned again as declined) and
/// declined otherwise. Returns false when it cannot be planned; when it
/// records a status of its own in `out` (3.8), the caller records none.
bool book_resource(Actor& actor, WritePlan& plan, const PrincipalRecord& room, const std::string& policy,
                   const ical::Attendee& a, const ical::SchedulingInfo& info, const std::string& data,
                   bool cancel, Outcome& out) {
    auto existing = plan.find_by_uid(room.id, info.uid);
    if (existing && !organized_by(plan, existing->data, info.organizer)) {
        // Another organizer's booking with this UID: neither replaced nor
        // cancelled by this one (issue 22 §1).
        out.statuses.emplace_back(a.address, std::string(no_authority));
        return true;
    }
    bool if_free = policy == "accept-if-free";
    if (cancel || (if_free && plan.room_busy(room.id))) {
        // Cancelled, or declined: a booking that moved onto a busy slot
        // releases its old one.
        if (existing) plan.remove(existing->collection_id, room.id, existing->name, existing->etag);
        if (!cancel) out.partstats.emplace_back(a.address, "DECLINED");
        return true;
    }
    Slot slot;
    if (existing) {
        slot = slot_of(room.id, *existing);
    } else {
        actor.store.provision_home(room.id);
        auto cal = actor.store.find_collection(room.id, "calendar");
        if (!cal || cal->kind != CollectionKind::calendar) return false;
        slot = {room.id, cal->id, message_name(), std::nullopt};
    }
    auto copy = ical::with_partstat(plan.attendee_copy(data), a.address, "ACCEPTED");
    if (!plan_object(actor, plan, slot, copy, false, ScheduleTagChange::renew, if_free)) return false;
    out.partstats.emplace_back(a.address, "ACCEPTED");
    return true;
}

/// Organizer side: REQUEST (or CANCEL) to each attendee the server schedules.
/// `unchanged`: the version replaced, when it tells attendees the same; then
/// attendees already mailed (SCHEDULE-STATUS 1.x) get no new email.
Outcome send_to_attendees(Actor& actor, WritePlan& plan, const ical::SchedulingInfo& info,
                          const std::string& data, bool cancel,
                          const ical::SchedulingInfo* unchanged = nullptr) {
    Outcome out;
    auto& statuses = out.statuses;
    auto message = itip_of(plan, data, cancel ? "CANCEL" : "REQUEST");
    for (const auto& a : info.attendees) {
        if (!a.server_schedules || ical::same_address(a.address, info.organizer)) continue;
        auto who = plan.principal_of(a.address);
        if (unchanged && !a.force_send) {
            // Clients save the organizer's copy again and again (alarms,
            // answers recorded): no email storm and no new Schedule-Tag on
            // the attendees' copies for a change that is none, unless the
            // client asks with SCHEDULE-FORCE-SEND=REQUEST (RFC 6638 §7.3).
            auto before = std::find_if(
                unchanged->attendees.begin(), unchanged->attendees.end(),
                [&](const ical::Attendee& b) { return ical::same_address(b.address, a.address); });
            // 1.x: sent or delivered; 2.x: answered (RFC 6638 §3.2.9, §4.2).
            if (before != unchanged->attendees.end() &&
                (before->schedule_status.starts_with("1.") ||
                 before->schedule_status.starts_with("2."))) {
                statuses.emplace_back(a.address, before->schedule_status);
                continue;
            }
        }
        if (!who) {
            // No local account: by email (1.1, sent; its arrival is not known),
            // or not delivered when there is no relay or the sender's
            // allowance is used up (RFC 6638 §3.2.9).
            statuses.emplace_back(a.address, send_by_email(actor, plan, a.address, message) ? "1.1" : "5.1");
            continue;
        }
        if (who->id == actor.principal.id) continue;
        if (who->kind != "user") {
            if (auto policy = actor.store.booking_policy(who->id); policy != "manual") {
                auto before = statuses.size();
                bool ok = book_resource(actor, plan, *who, policy, a, info, data, cancel, out);
                if (statuses.size() == before) statuses.emplace_back(a.address, ok ? "1.2" : "5.1");
                continue;
            }
        }
        auto delivered = plan_delivery(actor, plan, *who, a.address, info.organizer, info.uid, data, message, cancel);
        statuses.emplace_back(a.address, delivered == Delivery::delivered ? "1.2"
                                         : delivered == Delivery::refused ? no_authority
                                                                          : "5.1");
    }
    return out;
}

/// The attendee copies of the attendees other than `replying` (and the
/// organizer) in `copy`, the organizer's copy of the meeting, brought in
/// step with its answers (their own answer, alarms and X- properties kept,
/// as for any organizer update). Planned into `plan` for `organizer`, who
/// owns the copy; `before` is the organizer's copy before the answer.
///
/// A copy in step with `before` or with `copy` but for answers only gets
/// answers, so its Schedule-Tag stays (RFC 6638 §3.2.10, attendee rule 2:
/// a client holding it still writes with If-Schedule-Tag-Match, its stale
/// view of the others' answers merged). Both are asked because an answer
/// for one instance adds an instance to the organizer's copy that the
/// others' copies do not have yet. A copy that missed an organizer change
/// gets more than answers, and its tag changes (rule 1).
void plan_attendee_refresh(Actor& actor, WritePlan& plan, const PrincipalRecord& organizer, const std::string& copy,
                           const std::string& before, std::string_view replying) {
    auto info = info_of(plan, copy);
    if (!info || !is_own_address(organizer, info->organizer)) return;
    const auto& now = plan.attendee_copy(copy);
    const auto& then = plan.attendee_copy(before);
    for (const auto& a : info->attendees) {
        if (!a.server_schedules || ical::same_address(a.address, info->organizer) ||
            ical::same_address(a.address, replying))
            continue;
        auto who = plan.principal_of(a.address);
        if (!who || who->id == organizer.id) continue;
        // Only an existing copy is updated: an attendee who deleted theirs
        // does not get it back for somebody else's answer. Written over the
        // version read: an answer the attendee gives meanwhile makes the
        // refresh plan again, merging it rather than overwriting it.
        auto existing = plan.find_by_uid(who->id, info->uid);
        // Only the copy of this organizer's event (issue 22 §1).
        if (!existing || !organized_by(plan, existing->data, info->organizer)) continue;
        auto updated = merged_copy(plan, now, existing->data, a.address);
        if (updated == existing->data) continue;  // a refresh run twice, or nothing new
        bool in_step = in_step_with(plan, existing->data, then, a.address) ||
                       in_step_with(plan, existing->data, now, a.address);
        plan_object(actor, plan, slot_of(who->id, *existing), updated, false,
                    in_step ? ScheduleTagChange::keep : ScheduleTagChange::renew);
    }
}

/// The payload of an attendee-refresh job: the meeting's UID, its
/// organizer's principal name and the address that answered, a line each,
/// then the organizer's copy before the answer.
std::string refresh_payload(const std::string& uid, const PrincipalRecord& organizer, std::string_view replying,
                            const std::string& before) {
    return uid + "\n" + organizer.name + "\n" + std::string(replying) + "\n" + before;
}

/// RFC 6638 §4.2: after a reply changed the organizer's copy from `before`
/// to `after`, the other local attendees' copies show the new answers. That
/// is queued as a job (attendee_refresh_job_kind), committed with the
/// reply, due Limits::attendee_refresh_delay seconds later, rather than done
/// in the reply's own transaction: an answer to a meeting of fifty rewrote
/// forty-nine copies before it was acknowledged, and each of fifty answers
/// given within minutes rewrote them again. Now each job reads the
/// organizer's copy as it is when it runs, so the answers given within the
/// delay reach a copy in one write, and the later jobs find it in step and
/// write nothing (Apple's CalendarServer batches this refresh after a delay
/// too). `replying` is the address that answered; `organizer` owns the copy.
///
/// No message goes to their inboxes: Apple's CalendarServer and Cyrus update
/// the copies of the other attendees silently, and clients (Apple Calendar,
/// Thunderbird, DAVx5) show each inbox item as an invitation to act on, so
/// one notice per answer of every other attendee would only be noise. Nor is
/// any email sent to external attendees: a message to every attendee for
/// each answer would flood them (iMIP attendees learn the answers with the
/// organizer's next real update).
void share_answers(Actor& actor, WritePlan& plan, const PrincipalRecord& organizer, const std::string& before,
                   const std::string& after, std::string_view replying) {
    auto info = info_of(plan, after);
    if (!info) return;
    // Queued only when somebody else here keeps a copy to refresh.
    bool others = std::any_of(info->attendees.begin(), info->attendees.end(), [&](const ical::Attendee& a) {
        if (!a.server_schedules || ical::same_address(a.address, info->organizer) ||
            ical::same_address(a.address, replying))
            return false;
        auto who = plan.principal_of(a.address);
        return who && who->id != organizer.id && who->id != actor.principal.id;
    });
    if (!others) return;
    plan.job({std::string(attendee_refresh_job_kind), organizer.id,
              static_cast<std::int64_t>(std::time(nullptr)) + actor.limits.attendee_refresh_delay,
              refresh_payload(info->uid, organizer, replying, before)});
}

/// Attendee side: the REPLY goes to a local organizer's copy, from there to
/// the other local attendees' copies, and to the organizer's inbox; or by
/// email to an external organizer.
/// Returns the SCHEDULE-STATUS of the reply (RFC 6638 §3.2.9): 1.2
/// delivered, 1.1 sent by email, 3.8 when the organizer holds no event of
/// theirs with this UID inviting the user, 5.1 when it could not be
/// delivered; empty when there is nobody to reply to.
std::string reply_to_organizer(Actor& actor, WritePlan& plan, const ical::SchedulingInfo& info,
                               const std::string& reply) {
    auto organizer = plan.principal_of(info.organizer);
    if (!organizer) return send_by_email(actor, plan, info.organizer, reply) ? "1.1" : "5.1";
    if (organizer->id == actor.principal.id) return {};
    auto copy = plan.find_by_uid(organizer->id, info.uid);
    // Gone (the organizer deleted the event: no answer to deliver), or the
    // UID names an event of theirs they do not organize: a reply changes
    // only the organizer's own copy (RFC 5546 §3.2.3, issue 22 §1).
    if (!copy || !organized_by(plan, copy->data, info.organizer)) return "5.1";
    auto applied = plan_reply(actor, plan, *organizer, *copy, reply);
    if (!applied || !applied->invited)
        return std::string(no_authority);  // not invited by the organizer's copy
    // RFC 6638 §4.2: in the inbox once all automatic processing is done.
    return plan_inbox_item(actor, plan, *organizer, reply) ? "1.2" : "5.1";
}

/// scheduling_info of `data` (`parsed` when the caller read it already) with
/// the attendees `force` names marked.
std::optional<ical::SchedulingInfo> info_with_force(const std::string& data, const ScheduleForce& force,
                                                    const std::optional<ical::SchedulingInfo>* parsed) {
    auto info = parsed ? *parsed : ical::scheduling_info(data);
    if (!info) return info;
    for (auto& a : info->attendees)
        a.force_send = std::any_of(force.request.begin(), force.request.end(),
                                   [&](const std::string& f) { return ical::same_address(f, a.address); });
    return info;
}

/// The organizer's side of plan_put_scheduling, on `data` parsed as `info`.
std::optional<std::string> schedule_as_organizer(Actor& actor, WritePlan& plan, const ical::SchedulingInfo& info,
                                                 const std::string& data, const std::string& previous) {
    auto before = previous.empty() ? std::nullopt : info_of(plan, previous);
    bool unchanged = before && same_for_attendees(plan, previous, data);
    auto outcome = send_to_attendees(actor, plan, info, data, false, unchanged ? &*before : nullptr);
    // Attendees dropped from the event get a CANCEL.
    if (before) {
        ical::SchedulingInfo removed = *before;
        std::erase_if(removed.attendees,
                      [&](const ical::Attendee& a) { return partstat_of(info, a.address).has_value(); });
        if (!removed.attendees.empty()) send_to_attendees(actor, plan, removed, previous, true);
    }
    if (outcome.statuses.empty()) return std::nullopt;
    auto updated = plan.copy_of(data);
    if (!updated) return data;  // as ical::with_schedule_status answers
    for (const auto& [address, partstat] : outcome.partstats) ical::with_partstat(updated.get(), address, partstat);
    auto text = ical::with_schedule_status(updated.get(), outcome.statuses);
    plan.remember(text, std::move(updated));
    return text;
}

/// Issue 25 §6: the sharee acting for the owner (actor.sent_by) changed
/// their own answer in the owner's copy `previous` → `data` of a meeting the
/// owner organizes: that is their REPLY, as from their own copy. It goes to
/// the owner's inbox; the sharee's own copy and the other attendees' copies
/// show it (the owner's copy is the write itself).
void plan_sharee_answer(Actor& actor, WritePlan& plan, const ical::SchedulingInfo& info,
                        const std::string& previous, const std::string& data) {
    const auto* me = actor.sent_by && !previous.empty() ? own_entry(*actor.sent_by, info) : nullptr;
    if (!me) return;
    auto reply = reply_of(plan, previous, data, me->address, false);
    if (!reply) return;
    plan_inbox_item(actor, plan, actor.principal, *reply);
    share_answers(actor, plan, actor.principal, previous, data, me->address);
    auto copy = plan.find_by_uid(actor.sent_by->id, info.uid);
    if (!copy || !organized_by(plan, copy->data, info.organizer)) return;
    auto applied = applied_reply(plan, copy->data, *reply);
    if (applied && applied->changed)
        plan_object(actor, plan, slot_of(actor.sent_by->id, *copy), applied->data, false, ScheduleTagChange::keep);
}

}  // namespace

std::string mail_address(std::string_view address) {
    if (address.size() < 7 || lower(address.substr(0, 7)) != "mailto:") return {};
    return std::string(address.substr(7));
}

bool is_own_address(const PrincipalRecord& user, std::string_view address) {
    // Compared in place, as mail_address and lower would: a listing asks
    // this for every occurrence it shows (issue 24).
    if (address.size() > 7 && iequals(address.substr(0, 7), "mailto:"))
        return !user.email.empty() && iequals(address.substr(7), user.email);
    return address == principal_href(user.name) || address == "/dav/principals/users/" + user.name;
}

std::optional<PrincipalRecord> principal_of(Store& store, std::string_view address) {
    auto mail = mail_address(address);
    if (!mail.empty()) return store.find_principal_by_email(mail);
    const std::string prefix = "/dav/principals/users/";
    if (address.rfind(prefix, 0) == 0) {
        auto name = std::string(address.substr(prefix.size()));
        if (!name.empty() && name.back() == '/') name.pop_back();
        return store.find_principal(name);
    }
    return std::nullopt;
}

std::optional<std::string> plan_put_scheduling(Actor& actor, WritePlan& plan, const std::string& data,
                                               const std::string& previous, const ScheduleForce& force,
                                               const std::optional<ical::SchedulingInfo>* parsed) {
    auto info = info_with_force(data, force, parsed);
    if (!info) {
        // RFC 6638 §3.2.1.2: the organizer took ORGANIZER and every ATTENDEE
        // out, so the object is no meeting any more: the attendees it had
        // get a CANCEL (issue 22 §14).
        auto before = previous.empty() ? std::nullopt : ical::scheduling_info(previous);
        if (before && is_own_address(actor.principal, before->organizer))
            send_to_attendees(actor, plan, *before, previous, true);
        return std::nullopt;
    }
    if (is_own_address(actor.principal, info->organizer)) {
        auto updated = schedule_as_organizer(actor, plan, *info, data, previous);
        plan_sharee_answer(actor, plan, *info, previous, data);
        return updated;
    }
    if (const auto* me = own_entry(actor.principal, *info); me && info->organizer_server_schedules) {
        // Only what changed, per instance (RFC 6638 §3.2.2.3); a first copy
        // still NEEDS-ACTION answers nothing yet (an invitation saved from
        // email must not send a reply by itself).
        // RFC 6638 §7.3: how the reply fared is recorded on the ORGANIZER
        // of the attendee's copy.
        if (auto reply = reply_of(plan, previous, data, me->address, force.reply))
            if (auto status = reply_to_organizer(actor, plan, *info, *reply); !status.empty()) {
                auto answered = plan.copy_of(data);
                if (!answered) return data;  // as ical::with_organizer_schedule_status answers
                auto text = ical::with_organizer_schedule_status(answered.get(), status);
                plan.remember(text, std::move(answered));
                return text;
            }
    }
    return std::nullopt;
}

void plan_delete_scheduling(Actor& actor, WritePlan& plan, const std::string& data, bool reply) {
    auto info = ical::scheduling_info(data);
    if (!info) return;
    if (is_own_address(actor.principal, info->organizer)) {
        send_to_attendees(actor, plan, *info, data, true);
    } else if (const auto* me = own_entry(actor.principal, *info);
               me && reply && info->organizer_server_schedules && !ical::cancelled(data)) {
        // A cancelled event is gone on the organizer's side: removing it
        // answers nothing (as Apple's CalendarServer does).
        auto declined =
            ical::itip_message(ical::with_partstat(data, me->address, "DECLINED"), "REPLY", me->address);
        reply_to_organizer(actor, plan, *info, declined);
    }
}

void check_attendee_change(Actor& actor, WritePlan& plan, const std::string& data, const std::string& previous,
                           bool answers_merged) {
    if (previous.empty()) return;
    auto before = info_of(plan, previous);
    if (!before || !before->organizer_server_schedules || is_own_address(actor.principal, before->organizer) ||
        !own_entry(actor.principal, *before))
        return;
    // Only copies this server keeps in step with a local organizer: the copy
    // of an external organizer's event is updated by the attendee's own
    // client when the organizer's email arrives (Thunderbird and Evolution
    // write the new times themselves).
    auto organizer = plan.principal_of(before->organizer);
    if (!organizer || organizer->id == actor.principal.id) return;
    auto own = [&](std::string_view address) { return is_own_address(actor.principal, address); };
    if (auto why = ical::forbidden_attendee_change(plan.parse(previous), plan.parse(data), own, !answers_merged))
        throw Error(403, Precondition::allowed_attendee_scheduling_object_change, *why);
}

std::optional<ical::ReplyApplication> plan_reply(Actor& actor, WritePlan& plan, const PrincipalRecord& organizer,
                                                 const ObjectRecord& copy, const std::string& reply) {
    auto applied = applied_reply(plan, copy.data, reply);
    if (!applied || !applied->invited || !applied->changed) return applied;
    if (!plan_object(actor, plan, slot_of(organizer.id, copy), applied->data, false, ScheduleTagChange::keep))
        return std::nullopt;
    share_answers(actor, plan, organizer, copy.data, applied->data, applied->attendee);
    return applied;
}

bool plan_inbox_item(Actor& actor, WritePlan& plan, const PrincipalRecord& who, const std::string& message) {
    actor.store.provision_home(who.id);
    auto inbox = actor.store.find_collection(who.id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return observe_delivery(DeliveryRoute::local, false);
    return observe_delivery(DeliveryRoute::local,
                            plan_object(actor, plan, {who.id, inbox->id, message_name(), std::nullopt}, message,
                                        true, ScheduleTagChange::clear));
}

Delivery plan_delivery(Actor& actor, WritePlan& plan, const PrincipalRecord& who, std::string_view address,
                       std::string_view organizer, const std::string& uid, const std::string& data,
                       const std::string& message, bool cancel) {
    // The attendee's copy in their calendars: updated where it exists (their
    // own PARTSTAT kept), else created in the default calendar. A copy with
    // this UID that `organizer` does not organize is left alone, and so is
    // the inbox (RFC 5546 §3.2, issue 22 §1).
    auto existing = plan.find_by_uid(who.id, uid);
    if (existing && !organized_by(plan, existing->data, organizer)) return Delivery::refused;
    if (!plan_inbox_item(actor, plan, who, message)) return Delivery::failed;
    // RFC 6638 §3.2.10: the organizer's change is consequential for the
    // attendee's copy, so its Schedule-Tag changes.
    constexpr auto renew = ScheduleTagChange::renew;
    bool ok = true;
    if (cancel) {
        if (existing)
            ok = plan_object(actor, plan, slot_of(who.id, *existing), ical::attendee_copy(existing->data, "CANCELLED"),
                             false, renew);
        return ok ? Delivery::delivered : Delivery::failed;
    }
    auto copy = plan.attendee_copy(data);
    if (existing) {
        // Their alarms, X- properties and answers stay (issue 6 §3).
        copy = merged_copy(plan, copy, existing->data, address);
        ok = plan_object(actor, plan, slot_of(who.id, *existing), copy, false, renew);
        return ok ? Delivery::delivered : Delivery::failed;
    }
    auto cal = default_calendar(actor.store, who, actor.limits);
    if (!cal) return Delivery::delivered;  // no calendar takes invitations: the inbox item is all
    ok = plan_object(actor, plan, {who.id, cal->id, copy_name(plan, cal->id, uid), std::nullopt}, copy, false, renew);
    return ok ? Delivery::delivered : Delivery::failed;
}

RefreshResult refresh_attendee_copies(Store& store, const Limits& limits, std::int64_t organizer_id,
                                      std::string_view payload) {
    std::string fields[4];
    for (int i = 0; i < 3; ++i) {
        auto end = payload.find('\n');
        if (end == std::string_view::npos) return RefreshResult::done;
        fields[i].assign(payload.substr(0, end));
        payload.remove_prefix(end + 1);
    }
    fields[3].assign(payload);
    const auto& [uid, name, replying, before] = fields;
    auto organizer = store.find_principal(name);
    if (!organizer || organizer->id != organizer_id) return RefreshResult::done;  // gone
    Actor actor{store, limits, *organizer};
    PlanHints hints;
    for (int attempt = 0; attempt < limits.plan_attempts; ++attempt) {
        WritePlan plan(store, hints);
        auto copy = plan.find_by_uid(organizer->id, uid);
        if (!copy) return RefreshResult::done;  // the organizer deleted the meeting
        plan_attendee_refresh(actor, plan, *organizer, copy->data, before, replying);
        if (plan.empty()) return RefreshResult::done;
        auto result = store.commit(plan.writes());
        if (result.status == StoreStatus::ok) return RefreshResult::done;
        auto next = plan.replan(result);
        if (!next) break;
        hints = std::move(*next);
    }
    return RefreshResult::busy;
}

}  // namespace caldav

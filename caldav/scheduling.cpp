// Implicit scheduling (RFC 6638 §3.2, iTIP RFC 5546): local users get the
// message in their inbox and calendar, each delivery its own store
// transaction after the user's own write; external users get email (iMIP,
// RFC 6047), queued by the caller with the organizer's updated copy.
#include "caldav/scheduling.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "caldav/calendar_data.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/error.hpp"
#include "caldav/imip.hpp"
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
std::string copy_name(Store& store, std::int64_t calendar_id, std::string_view uid) {
    bool plain = !uid.empty() && uid.size() <= 200 && uid.front() != '.' &&
                 std::all_of(uid.begin(), uid.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                            c == '.' || c == '@';
                 });
    if (plain) {
        std::string name = std::string(uid) + ".ics";
        if (!store.find_object(calendar_id, name, false)) return name;
    }
    return message_name();
}

/// Stores `data` as an object of `collection_id`, indexed like a PUT; with
/// `booking_owner`, only if it overlaps nothing else that owner holds.
StoreStatus store_object_status(Context& ctx, std::int64_t collection_id, const std::string& name,
                                const std::string& data, bool unique_uid,
                                std::optional<std::int64_t> booking_owner, ScheduleTagChange tag,
                                const std::optional<std::string>& if_match = std::nullopt) {
    CalendarData index;
    try {
        // iTIP messages carry METHOD, which calendar object resources may not
        // (RFC 4791 §4.1): index them as the object they describe.
        index = validate_calendar_data(unique_uid ? data : ical::attendee_copy(data), ctx.limits);
    } catch (const Error&) {
        return StoreStatus::not_found;
    }
    PutObject put;
    put.collection_id = collection_id;
    put.name = name;
    put.uid = unique_uid ? index.uid : name;
    put.component = index.component;
    put.data = data;
    put.first_start = index.first_start;
    put.last_end = index.last_end;
    put.instances = std::move(index.instances);
    put.schedule_tag = unique_uid ? tag : ScheduleTagChange::clear;  // inbox messages have none
    put.if_match = if_match;
    return (booking_owner ? ctx.store.book_if_free(put, *booking_owner) : ctx.store.put_object(put))
        .status;
}

/// Stores `data` as an object of `collection_id`; false when the store refuses it.
bool store_object(Context& ctx, std::int64_t collection_id, const std::string& name,
                  const std::string& data, bool unique_uid,
                  ScheduleTagChange tag = ScheduleTagChange::keep) {
    return store_object_status(ctx, collection_id, name, data, unique_uid, std::nullopt, tag) ==
           StoreStatus::ok;
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
bool organized_by(Store& store, std::string_view copy, std::string_view organizer) {
    auto info = ical::scheduling_info(copy);
    if (!info || info->organizer.empty()) return false;
    if (ical::same_address(info->organizer, organizer)) return true;
    auto theirs = principal_of(store, info->organizer);
    auto sender = theirs ? principal_of(store, organizer) : std::nullopt;
    return sender && theirs->id == sender->id;
}

/// The local principals of calendar user addresses, each looked up once
/// while a write is scheduled (deciding whether it schedules by email only,
/// then sending, resolve the same attendees).
class Principals {
public:
    explicit Principals(Store& store) : store_(store) {}

    /// The principal `address` names, if any (principal_of, remembered).
    std::optional<PrincipalRecord> of(std::string_view address) {
        for (const auto& [known, who] : known_)
            if (known == address) return who;
        auto who = principal_of(store_, address);
        known_.emplace_back(std::string(address), who);
        return who;
    }

private:
    Store& store_;
    std::vector<std::pair<std::string, std::optional<PrincipalRecord>>> known_;
};

/// What the organizer's copy learns from a round of deliveries.
struct Outcome {
    std::vector<std::pair<std::string, std::string>> statuses;   ///< SCHEDULE-STATUS per address
    std::vector<std::pair<std::string, std::string>> partstats;  ///< answers given at once (rooms)
    std::vector<OutgoingMail> mail;                              ///< iMIP for external attendees
};

/// RFC 6047: an iTIP message for a calendar user with no local account goes by
/// email when a relay is configured. False when it cannot be sent.
bool send_by_email(Context& ctx, std::string_view recipient, const std::string& message,
                   std::vector<OutgoingMail>& mail) {
    if (!ctx.imip) return false;
    auto composed = ctx.imip->compose(ctx.user, recipient, message);
    if (!composed) return false;
    mail.push_back(std::move(*composed));
    return true;
}

/// SCHEDULE-STATUS of a delivery refused because the sender is not the
/// organizer of the recipient's copy (RFC 5546 §3.6: 3.8, "No authority").
constexpr std::string_view no_authority = "3.8";

/// A room or resource with an automatic policy answers at once: the booking is
/// stored when free (checked in the same transaction) and declined otherwise.
/// Returns false when the store could not be written; when it records a
/// status of its own in `out` (3.8), the caller records none.
bool book_resource(Context& ctx, const PrincipalRecord& room, const std::string& policy,
                   const ical::Attendee& a, const ical::SchedulingInfo& info,
                   const std::string& data, bool cancel, Outcome& out) {
    auto existing = ctx.store.find_object_by_uid(room.id, info.uid);
    if (existing && !organized_by(ctx.store, existing->data, info.organizer)) {
        // Another organizer's booking with this UID: neither replaced nor
        // cancelled by this one (issue 22 §1).
        out.statuses.emplace_back(a.address, std::string(no_authority));
        return true;
    }
    if (cancel) {
        if (existing)
            ctx.store.delete_object(existing->collection_id, existing->name, std::nullopt);
        return true;
    }
    auto calendar = existing ? std::optional<std::int64_t>(existing->collection_id) : std::nullopt;
    if (!calendar) {
        ctx.store.provision_home(room.id);
        auto cal = ctx.store.find_collection(room.id, "calendar");
        if (!cal || cal->kind != CollectionKind::calendar) return false;
        calendar = cal->id;
    }
    auto copy = ical::with_partstat(ical::attendee_copy(data), a.address, "ACCEPTED");
    auto name = existing ? existing->name : message_name();
    auto status =
        store_object_status(ctx, *calendar, name, copy, true,
                            policy == "accept-if-free" ? std::optional(room.id) : std::nullopt,
                            ScheduleTagChange::renew);
    if (status == StoreStatus::conflict) {
        // Declined: a booking that moved onto a busy slot releases its old one.
        if (existing)
            ctx.store.delete_object(existing->collection_id, existing->name, std::nullopt);
        out.partstats.emplace_back(a.address, "DECLINED");
        return true;
    }
    if (status != StoreStatus::ok) return false;
    out.partstats.emplace_back(a.address, "ACCEPTED");
    return true;
}

/// Organizer side: REQUEST (or CANCEL) to each attendee the server schedules.
/// `unchanged`: the version replaced, when it tells attendees the same; then
/// attendees already mailed (SCHEDULE-STATUS 1.x) get no new email.
Outcome send_to_attendees(Context& ctx, Principals& principals, const ical::SchedulingInfo& info,
                          const std::string& data, bool cancel,
                          const ical::SchedulingInfo* unchanged = nullptr) {
    Outcome out;
    auto& statuses = out.statuses;
    auto message = ical::itip_message(data, cancel ? "CANCEL" : "REQUEST");
    for (const auto& a : info.attendees) {
        if (!a.server_schedules || ical::same_address(a.address, info.organizer)) continue;
        auto who = principals.of(a.address);
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
            statuses.emplace_back(a.address,
                                  send_by_email(ctx, a.address, message, out.mail) ? "1.1" : "5.1");
            continue;
        }
        if (who->id == ctx.user.id) continue;
        if (who->kind != "user") {
            if (auto policy = ctx.store.booking_policy(who->id); policy != "manual") {
                auto before = statuses.size();
                bool ok = book_resource(ctx, *who, policy, a, info, data, cancel, out);
                if (statuses.size() == before) statuses.emplace_back(a.address, ok ? "1.2" : "5.1");
                continue;
            }
        }
        auto delivered = deliver_to_attendee(ctx, *who, a.address, info.organizer, info.uid, data,
                                             message, cancel);
        statuses.emplace_back(a.address, delivered == Delivery::delivered ? "1.2"
                                         : delivered == Delivery::refused ? no_authority
                                                                          : "5.1");
    }
    return out;
}

}  // namespace

/// RFC 6638 §4.2: after a reply changed the organizer's copy from `before` to
/// `after`, the other local attendees' copies show the new answers (their
/// own answer, alarms and X- properties kept, as for any organizer update).
/// `replying` is the address that answered; `organizer` owns the copy.
///
/// Only the answers changed, so their Schedule-Tag stays (§3.2.10, attendee
/// rule 2: a client holding it still writes with If-Schedule-Tag-Match, its
/// stale view of the others' answers merged). Should their copy have missed
/// an organizer change (a delivery that failed), the update carries more than
/// answers and the tag changes (rule 1).
///
/// No message goes to their inboxes: Apple's CalendarServer and Cyrus update
/// the copies of the other attendees silently, and clients (Apple Calendar,
/// Thunderbird, DAVx5) show each inbox item as an invitation to act on, so
/// one notice per answer of every other attendee would only be noise. Nor is
/// any email sent to external attendees: a message to every attendee for
/// each answer would flood them (iMIP attendees learn the answers with the
/// organizer's next real update).
void share_answers(Context& ctx, const PrincipalRecord& organizer, const std::string& before,
                   const std::string& after, std::string_view replying) {
    auto info = ical::scheduling_info(after);
    if (!info) return;
    const auto now = ical::attendee_copy(after);
    const auto then = ical::attendee_copy(before);
    if (now == then) return;  // only the organizer's SCHEDULE-STATUS changed
    Principals principals(ctx.store);
    for (const auto& a : info->attendees) {
        if (!a.server_schedules || ical::same_address(a.address, info->organizer) ||
            ical::same_address(a.address, replying))
            continue;
        auto who = principals.of(a.address);
        if (!who || who->id == organizer.id || who->id == ctx.user.id) continue;
        // Written only over the version read, so that an answer the attendee
        // gives meanwhile is merged into rather than overwritten (a few
        // attempts). Only an existing copy is updated: an attendee who
        // deleted theirs does not get it back for somebody else's answer.
        for (int attempt = 0; attempt < 3; ++attempt) {
            auto existing = ctx.store.find_object_by_uid(who->id, info->uid);
            // Only the copy of this organizer's event (issue 22 §1).
            if (!existing || !organized_by(ctx.store, existing->data, info->organizer)) break;
            auto updated = ical::merge_attendee_copy(now, existing->data, a.address);
            bool in_step = ical::same_for_attendees(
                existing->data, ical::merge_attendee_copy(then, existing->data, a.address));
            auto tag = in_step ? ScheduleTagChange::keep : ScheduleTagChange::renew;
            if (store_object_status(ctx, existing->collection_id, existing->name, updated, true,
                                    std::nullopt, tag,
                                    existing->etag) != StoreStatus::etag_mismatch)
                break;
        }
    }
}

namespace {

/// Attendee side: the REPLY goes to a local organizer's copy (per instance,
/// RFC 6638 §4.2; their Schedule-Tag kept, §3.2.10), from there to the other
/// local attendees' copies, and to the organizer's inbox; or by email to an
/// external organizer.
/// Returns the SCHEDULE-STATUS of the reply (RFC 6638 §3.2.9): 1.2
/// delivered, 1.1 sent by email, 3.8 when the organizer holds no event of
/// theirs with this UID inviting the user, 5.1 when it could not be
/// delivered; empty when there is nobody to reply to.
std::string reply_to_organizer(Context& ctx, const ical::SchedulingInfo& info,
                               const std::string& reply, std::vector<OutgoingMail>& mail) {
    auto organizer = principal_of(ctx.store, info.organizer);
    if (!organizer) return send_by_email(ctx, info.organizer, reply, mail) ? "1.1" : "5.1";
    if (organizer->id == ctx.user.id) return {};
    auto copy = ctx.store.find_object_by_uid(organizer->id, info.uid);
    // Gone (the organizer deleted the event: no answer to deliver), or the
    // UID names an event of theirs they do not organize: a reply changes
    // only the organizer's own copy (RFC 5546 §3.2.3, issue 22 §1).
    if (!copy || !organized_by(ctx.store, copy->data, info.organizer)) return "5.1";
    auto applied = ical::apply_reply(copy->data, reply);
    if (!applied || !applied->invited)
        return std::string(no_authority);  // not invited by the organizer's copy
    if (applied->changed && store_object(ctx, copy->collection_id, copy->name, applied->data, true,
                                         ScheduleTagChange::keep))
        share_answers(ctx, *organizer, copy->data, applied->data, applied->attendee);
    // RFC 6638 §4.2: in the inbox once all automatic processing is done.
    return deliver_to_inbox(ctx, *organizer, reply) ? "1.2" : "5.1";
}

}  // namespace

std::string mail_address(std::string_view address) {
    if (address.size() < 7 || lower(address.substr(0, 7)) != "mailto:") return {};
    return std::string(address.substr(7));
}

bool is_own_address(const PrincipalRecord& user, std::string_view address) {
    auto mail = mail_address(address);
    if (!mail.empty()) return !user.email.empty() && lower(mail) == lower(user.email);
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

namespace {

/// scheduling_info of `data` (`parsed` when the caller read it already) with
/// the attendees `force` names marked.
std::optional<ical::SchedulingInfo> info_with_force(
    const std::string& data, const ScheduleForce& force,
    const std::optional<ical::SchedulingInfo>* parsed) {
    auto info = parsed ? *parsed : ical::scheduling_info(data);
    if (!info) return info;
    for (auto& a : info->attendees)
        a.force_send =
            std::any_of(force.request.begin(), force.request.end(),
                        [&](const std::string& f) { return ical::same_address(f, a.address); });
    return info;
}

/// True when no attendee in `info` the server schedules is a local
/// principal other than the user: then scheduling only composes email.
bool attendees_all_remote(Context& ctx, Principals& principals, const ical::SchedulingInfo& info) {
    return std::none_of(info.attendees.begin(), info.attendees.end(), [&](const ical::Attendee& a) {
        if (!a.server_schedules || ical::same_address(a.address, info.organizer)) return false;
        auto who = principals.of(a.address);
        return who && who->id != ctx.user.id;
    });
}

/// The organizer's side of schedule_after_put, on `data` parsed as `info`.
ScheduleResult schedule_as_organizer(Context& ctx, Principals& principals,
                                     const ical::SchedulingInfo& info, const std::string& data,
                                     const std::string& previous,
                                     std::optional<ical::SchedulingInfo> before) {
    ScheduleResult result;
    bool unchanged = before && ical::same_for_attendees(previous, data);
    auto outcome =
        send_to_attendees(ctx, principals, info, data, false, unchanged ? &*before : nullptr);
    result.mail = std::move(outcome.mail);
    // Attendees dropped from the event get a CANCEL.
    if (before) {
        ical::SchedulingInfo removed = *before;
        std::erase_if(removed.attendees, [&](const ical::Attendee& a) {
            return partstat_of(info, a.address).has_value();
        });
        if (!removed.attendees.empty()) {
            auto cancelled = send_to_attendees(ctx, principals, removed, previous, true);
            for (auto& m : cancelled.mail) result.mail.push_back(std::move(m));
        }
    }
    if (outcome.statuses.empty()) return result;
    auto updated = data;
    for (const auto& [address, partstat] : outcome.partstats)
        updated = ical::with_partstat(updated, address, partstat);
    result.updated = ical::with_schedule_status(updated, outcome.statuses);
    return result;
}

}  // namespace

std::optional<ScheduleResult> schedule_before_put(
    Context& ctx, const std::string& data, const std::string& previous, const ScheduleForce& force,
    const std::optional<ical::SchedulingInfo>* parsed) {
    auto info = info_with_force(data, force, parsed);
    Principals principals(ctx.store);
    if (!info || !is_own_address(ctx.user, info->organizer) ||
        !attendees_all_remote(ctx, principals, *info))
        return std::nullopt;
    auto before = previous.empty() ? std::nullopt : ical::scheduling_info(previous);
    if (before && !attendees_all_remote(ctx, principals, *before)) return std::nullopt;
    return schedule_as_organizer(ctx, principals, *info, data, previous, std::move(before));
}

ScheduleResult schedule_after_put(Context& ctx, const std::string& data,
                                  const std::string& previous, const ScheduleForce& force,
                                  const std::optional<ical::SchedulingInfo>* parsed) {
    ScheduleResult result;
    auto info = info_with_force(data, force, parsed);
    if (!info) {
        // RFC 6638 §3.2.1.2: the organizer took ORGANIZER and every ATTENDEE
        // out, so the object is no meeting any more: the attendees it had
        // get a CANCEL (issue 22 §14).
        auto before = previous.empty() ? std::nullopt : ical::scheduling_info(previous);
        if (before && is_own_address(ctx.user, before->organizer)) {
            Principals principals(ctx.store);
            result.mail = send_to_attendees(ctx, principals, *before, previous, true).mail;
        }
        return result;
    }
    if (is_own_address(ctx.user, info->organizer)) {
        Principals principals(ctx.store);
        return schedule_as_organizer(
            ctx, principals, *info, data, previous,
            previous.empty() ? std::nullopt : ical::scheduling_info(previous));
    }
    if (const auto* me = own_entry(ctx.user, *info); me && info->organizer_server_schedules) {
        // Only what changed, per instance (RFC 6638 §3.2.2.3); a first copy
        // still NEEDS-ACTION answers nothing yet (an invitation saved from
        // email must not send a reply by itself).
        // RFC 6638 §7.3: how the reply fared is recorded on the ORGANIZER
        // of the attendee's copy.
        if (auto reply = ical::attendee_reply(previous, data, me->address, force.reply))
            if (auto status = reply_to_organizer(ctx, *info, *reply, result.mail); !status.empty())
                result.updated = ical::with_organizer_schedule_status(data, status);
    }
    return result;
}

std::vector<OutgoingMail> schedule_after_delete(Context& ctx, const std::string& data, bool reply) {
    std::vector<OutgoingMail> mail;
    auto info = ical::scheduling_info(data);
    if (!info) return mail;
    if (is_own_address(ctx.user, info->organizer)) {
        Principals principals(ctx.store);
        mail = send_to_attendees(ctx, principals, *info, data, true).mail;
    } else if (const auto* me = own_entry(ctx.user, *info);
               me && reply && info->organizer_server_schedules && !ical::cancelled(data)) {
        // A cancelled event is gone on the organizer's side: removing it
        // answers nothing (as Apple's CalendarServer does).
        auto declined = ical::itip_message(ical::with_partstat(data, me->address, "DECLINED"),
                                           "REPLY", me->address);
        reply_to_organizer(ctx, *info, declined, mail);
    }
    return mail;
}

void check_attendee_change(Context& ctx, const std::string& data, const std::string& previous,
                           bool answers_merged) {
    if (previous.empty()) return;
    auto before = ical::scheduling_info(previous);
    if (!before || !before->organizer_server_schedules ||
        is_own_address(ctx.user, before->organizer) || !own_entry(ctx.user, *before))
        return;
    // Only copies this server keeps in step with a local organizer: the copy
    // of an external organizer's event is updated by the attendee's own
    // client when the organizer's email arrives (Thunderbird and Evolution
    // write the new times themselves).
    auto organizer = principal_of(ctx.store, before->organizer);
    if (!organizer || organizer->id == ctx.user.id) return;
    auto own = [&](std::string_view address) { return is_own_address(ctx.user, address); };
    if (auto why = ical::forbidden_attendee_change(previous, data, own, !answers_merged))
        throw Error(403, Precondition::allowed_attendee_scheduling_object_change, *why);
}

bool store_calendar_object(Context& ctx, std::int64_t collection_id, const std::string& name,
                           const std::string& data) {
    return store_object(ctx, collection_id, name, data, true, ScheduleTagChange::keep);
}

bool deliver_to_inbox(Context& ctx, const PrincipalRecord& who, const std::string& message) {
    ctx.store.provision_home(who.id);
    auto inbox = ctx.store.find_collection(who.id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return false;
    return store_object(ctx, inbox->id, message_name(), message, false);
}

Delivery deliver_to_attendee(Context& ctx, const PrincipalRecord& who, std::string_view address,
                             std::string_view organizer, const std::string& uid,
                             const std::string& data, const std::string& message, bool cancel) {
    // The attendee's copy in their calendars: updated where it exists (their
    // own PARTSTAT kept), else created in the default calendar. A copy with
    // this UID that `organizer` does not organize is left alone, and so is
    // the inbox (RFC 5546 §3.2, issue 22 §1).
    auto existing = ctx.store.find_object_by_uid(who.id, uid);
    if (existing && !organized_by(ctx.store, existing->data, organizer)) return Delivery::refused;
    bool ok = deliver_to_inbox(ctx, who, message);
    // RFC 6638 §3.2.10: the organizer's change is consequential for the
    // attendee's copy, so its Schedule-Tag changes.
    constexpr auto renew = ScheduleTagChange::renew;
    if (cancel) {
        if (existing)
            ok = store_object(ctx, existing->collection_id, existing->name,
                              ical::attendee_copy(existing->data, "CANCELLED"), true, renew) &&
                 ok;
        return ok ? Delivery::delivered : Delivery::failed;
    }
    auto copy = ical::attendee_copy(data);
    if (existing) {
        // Their alarms, X- properties and answers stay (issue 6 §3).
        copy = ical::merge_attendee_copy(copy, existing->data, address);
        ok = store_object(ctx, existing->collection_id, existing->name, copy, true, renew) && ok;
        return ok ? Delivery::delivered : Delivery::failed;
    }
    ctx.store.provision_home(who.id);
    if (auto cal = default_calendar(ctx.store, who, ctx.limits))
        ok = store_object(ctx, cal->id, copy_name(ctx.store, cal->id, uid), copy, true, renew) && ok;
    return ok ? Delivery::delivered : Delivery::failed;
}

}  // namespace caldav

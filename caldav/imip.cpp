// Incoming iMIP (RFC 6047 §2, iTIP RFC 5546 §3.2): an iTIP message taken from
// an email applied to the local organizer or attendees it is for.
#include "caldav/imip.hpp"

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/write_plan.hpp"
#include "ical/itip.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

namespace {

/// RFC 6047 §3: the email must come from the party the iTIP message speaks for.
bool sent_by(const std::vector<std::string>& senders, std::string_view address) {
    auto mail = mail_address(address);
    for (const auto& s : senders)
        if (!s.empty() && !mail.empty() && ical::same_address(s, mail)) return true;
    return false;
}

/// Commits `plan`: one transaction for everything a message does.
ImipResult committed(Store& store, const WritePlan& plan, ImipResult done, std::string_view what) {
    auto result = store.commit(plan.writes());
    if (result.status == StoreStatus::ok) return done;
    return {ImipOutcome::busy, std::string(what) + " could not be written"};
}

/// True when `who` is the user an envelope `recipient` names (or none is given).
bool addressed_to(const PrincipalRecord& who, std::string_view recipient) {
    return recipient.empty() || (!who.email.empty() && ical::same_address(who.email, recipient));
}

/// REPLY or COUNTER from an attendee to a local organizer.
ImipResult from_attendee(Store& store, const Limits& limits, const ical::ItipSummary& s,
                         std::string_view itip, const std::vector<std::string>& senders,
                         std::string_view recipient) {
    if (s.attendees.empty()) return {ImipOutcome::bad_data, "a " + s.method + " names no ATTENDEE"};
    const auto& replying = s.attendees.front();
    // Some replies name no ORGANIZER; then the envelope recipient is the one.
    auto organizer = !s.organizer.address.empty() ? principal_of(store, s.organizer.address)
                     : recipient.empty()          ? std::nullopt
                                         : principal_of(store, "mailto:" + std::string(recipient));
    if (!organizer || organizer->kind != "user" || !addressed_to(*organizer, recipient))
        return {ImipOutcome::unknown_recipient,
                "the ORGANIZER " + s.organizer.address + " is no local user"};
    if (!sent_by(senders, replying.address))
        return {ImipOutcome::sender_mismatch,
                "the email is not from the replying ATTENDEE " + replying.address};
    if (principal_of(store, replying.address))
        return {ImipOutcome::sender_mismatch,
                "the ATTENDEE " + replying.address + " is a local user"};
    Actor actor{store, limits, *organizer};
    std::string message(itip);
    if (s.method == "COUNTER") {
        // RFC 5546 §3.2.7: a proposal for the organizer to accept or decline
        // with a client; nothing changes until they do.
        WritePlan plan(store);
        if (!plan_inbox_item(actor, plan, *organizer, message))
            return {ImipOutcome::busy, "the inbox could not be written"};
        return committed(store, plan,
                         {ImipOutcome::applied, "COUNTER from " + replying.address + " delivered to " + organizer->name},
                         "the inbox");
    }
    // The answer, the other attendees' copies and the inbox item in one
    // transaction, planned again when a copy changed meanwhile.
    PlanHints hints;
    for (int attempt = 0; attempt < limits.plan_attempts; ++attempt) {
        WritePlan plan(store, hints);
        auto copy = plan.find_by_uid(organizer->id, s.uid);
        auto theirs = copy ? ical::scheduling_info(copy->data) : std::nullopt;
        if (!copy || !theirs || !is_own_address(*organizer, theirs->organizer))
            return {ImipOutcome::ignored, "no event " + s.uid + " organized by " + organizer->name};
        auto applied = ical::apply_reply(copy->data, itip);
        if (!applied) return {ImipOutcome::bad_data, "the REPLY names no ATTENDEE"};
        if (applied->stale) return {ImipOutcome::ignored, "the REPLY answers an older SEQUENCE"};
        if (!applied->invited)
            return {ImipOutcome::sender_mismatch, replying.address + " is not invited to " + s.uid};
        if (applied->partstat.empty())
            return {ImipOutcome::ignored, "the REPLY's PARTSTAT applies to no component of " + s.uid};
        if (!plan_reply(actor, plan, *organizer, *copy, message))
            return {ImipOutcome::busy, "the organizer's copy could not be written"};
        if (!plan_inbox_item(actor, plan, *organizer, message))
            return {ImipOutcome::busy, "the inbox could not be written"};
        auto result = store.commit(plan.writes());
        if (result.status == StoreStatus::ok)
            return {ImipOutcome::applied, applied->attendee + " is " + applied->partstat + " for " + s.uid};
        auto next = plan.replan(result);
        if (!next) break;
        hints = std::move(*next);
    }
    return {ImipOutcome::busy, "the organizer's copy could not be written"};
}

/// REQUEST or CANCEL from an external organizer to local attendees.
ImipResult from_organizer(Store& store, const Limits& limits, const ical::ItipSummary& s,
                          std::string_view itip, const std::vector<std::string>& senders,
                          std::string_view recipient) {
    if (s.organizer.address.empty())
        return {ImipOutcome::bad_data, "a " + s.method + " names no ORGANIZER"};
    if (!sent_by(senders, s.organizer.address))
        return {ImipOutcome::sender_mismatch,
                "the email is not from the ORGANIZER " + s.organizer.address};
    // A local organizer schedules through this server, never by email: a
    // message in their name from outside is forged (a From is easy to fake).
    if (principal_of(store, s.organizer.address))
        return {ImipOutcome::sender_mismatch,
                "the ORGANIZER " + s.organizer.address + " is a local user"};
    bool cancel = s.method == "CANCEL";
    std::string message(itip);
    // Every local attendee's inbox item and copy in one transaction,
    // planned again when a copy changed meanwhile.
    PlanHints hints;
    for (int attempt = 0; attempt < limits.plan_attempts; ++attempt) {
        WritePlan plan(store, hints);
        ImipResult result{ImipOutcome::unknown_recipient, "no local ATTENDEE"};
        for (const auto& a : s.attendees) {
            auto who = plan.principal_of(a.address);
            if (!who || who->kind != "user" || !addressed_to(*who, recipient)) continue;
            if (auto existing = plan.find_by_uid(who->id, s.uid)) {
                // The UID is taken by another organizer's event: not this sender's to change.
                auto theirs = ical::itip_summary(existing->data);
                if (!theirs || !ical::same_address(theirs->organizer.address, s.organizer.address))
                    return {ImipOutcome::sender_mismatch, s.uid + " of " + who->name + " has another ORGANIZER"};
                if (theirs->sequence.value_or(0) > s.sequence.value_or(0)) {
                    result = {ImipOutcome::ignored, "the " + s.method + " is older than " + who->name + "'s copy"};
                    continue;
                }
            }
            Actor actor{store, limits, *who};
            auto delivered =
                plan_delivery(actor, plan, *who, a.address, s.organizer.address, s.uid, message, message, cancel);
            if (delivered == Delivery::refused)
                return {ImipOutcome::sender_mismatch, s.uid + " of " + who->name + " has another ORGANIZER"};
            if (delivered != Delivery::delivered)
                return {ImipOutcome::busy, "the calendar of " + who->name + " could not be written"};
            result = {ImipOutcome::applied, s.method + " " + s.uid + " delivered to " + who->name};
        }
        if (plan.empty()) return result;
        auto outcome = store.commit(plan.writes());
        if (outcome.status == StoreStatus::ok) return result;
        auto next = plan.replan(outcome);
        if (!next) break;
        hints = std::move(*next);
    }
    return {ImipOutcome::busy, "the attendees' calendars could not be written"};
}

}  // namespace

bool record_schedule_status(Store& store, const Limits& limits, std::int64_t principal_id,
                            const std::string& uid, const std::string& recipient,
                            const std::string& status) {
    auto copy = store.find_object_by_uid(principal_id, uid);
    if (!copy) return false;
    // Only on the copy this principal organizes (issue 22 §1): the status
    // is about their own mail.
    auto info = ical::scheduling_info(copy->data);
    auto organizer = info ? principal_of(store, info->organizer) : std::nullopt;
    if (!organizer || organizer->id != principal_id) return false;
    auto updated = ical::with_schedule_status(copy->data, {{"mailto:" + recipient, status}});
    if (updated == copy->data) return false;
    CalendarData index;
    try {
        index = validate_calendar_data(updated, limits);
    } catch (const Error&) {
        return false;
    }
    PutObject put;
    put.collection_id = copy->collection_id;
    put.name = copy->name;
    put.uid = index.uid;
    put.component = index.component;
    put.data = std::move(updated);
    put.first_start = index.first_start;
    put.last_end = index.last_end;
    put.instances = std::move(index.instances);
    put.if_match = copy->etag;
    return store.put_object(put).status == StoreStatus::ok;
}

ImipResult apply_imip(Store& store, const Limits& limits, std::string_view itip,
                      const std::vector<std::string>& senders, std::string_view recipient) {
    if (itip.size() > limits.max_resource_bytes)
        return {ImipOutcome::bad_data, "the calendar part is larger than " +
                                           std::to_string(limits.max_resource_bytes) + " bytes"};
    auto summary = ical::itip_summary(itip);
    if (!summary)
        return {ImipOutcome::bad_data,
                "the calendar part does not parse or holds no scheduled component"};
    if (summary->uid.empty()) return {ImipOutcome::bad_data, "the calendar part has no UID"};
    if (summary->method.empty())
        return {ImipOutcome::bad_data, "the calendar part has no METHOD: not an iTIP message"};
    try {
        // The message must make a valid calendar object once METHOD is gone.
        validate_calendar_data(ical::attendee_copy(itip), limits);
    } catch (const Error& e) {
        return {ImipOutcome::bad_data, "invalid calendar data: " + e.description()};
    }
    const auto& method = summary->method;
    if (method == "REPLY" || method == "COUNTER")
        return from_attendee(store, limits, *summary, itip, senders, recipient);
    if (method == "REQUEST" || method == "CANCEL")
        return from_organizer(store, limits, *summary, itip, senders, recipient);
    return {ImipOutcome::bad_data, "METHOD:" + method + " is not applied from email"};
}

}  // namespace caldav

// Merging versions of scheduling objects (RFC 6638 §3.2.2, §3.2.10, RFC 5546
// §3.2.3): answers kept, attendees' alarms kept, per-instance replies, and the
// override a reply for one instance adds to the organizer's copy.
#include "ical/schedule_merge.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "ical/calendar_data.hpp"
#include "ical/itip.hpp"
#include "ical/scheduling.hpp"

namespace {

bool has(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::string unfolded(std::string text) {
    for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
        text.erase(at, 3);
    return text;
}

const std::string head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n";
const std::string tail = "END:VCALENDAR\r\n";

/// One VEVENT of the series "s1" by alice with bob; `body` adds lines.
std::string vevent(const std::string& bob_partstat, const std::string& body = {},
                   const std::string& start = "20270104T100000Z", const std::string& rid = {}) {
    std::string s = "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n";
    if (!rid.empty()) s += "RECURRENCE-ID:" + rid + "\r\n";
    s += "DTSTART:" + start + "\r\nDURATION:PT1H\r\n";
    if (rid.empty()) s += "RRULE:FREQ=WEEKLY;COUNT=4\r\n";
    return s +
           "ORGANIZER:mailto:alice@x\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@x\r\nATTENDEE;"
           "PARTSTAT=" +
           bob_partstat + ":mailto:bob@x\r\n" + body + "END:VEVENT\r\n";
}

bool is_alice(std::string_view a) { return a == "mailto:alice@x"; }
bool is_bob(std::string_view a) { return a == "mailto:bob@x"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(schedule_merge)

BOOST_AUTO_TEST_CASE(a_stale_organizer_write_keeps_the_answers_merged_since) {
    auto stored = head + vevent("ACCEPTED") + tail;
    auto sent = head + vevent("NEEDS-ACTION", "DESCRIPTION:new\r\n") + tail;
    auto merged = unfolded(ical::merge_replies(sent, stored, is_alice));
    BOOST_TEST(has(merged, "PARTSTAT=ACCEPTED:mailto:bob@x"));
    BOOST_TEST(has(merged, "DESCRIPTION:new"));
    // Nothing to merge: the client's bytes stay as they are.
    BOOST_TEST(ical::merge_replies(stored, stored, is_alice) == stored);
}

BOOST_AUTO_TEST_CASE(a_rescheduled_component_asks_again_instead_of_keeping_answers) {
    auto stored = head + vevent("ACCEPTED") + tail;
    auto sent = head + vevent("NEEDS-ACTION", {}, "20270104T140000Z") + tail;
    BOOST_TEST(ical::merge_replies(sent, stored, is_alice) == sent);
}

BOOST_AUTO_TEST_CASE(a_reschedule_asks_every_attendee_but_the_organizer_again) {
    auto previous = head + vevent("ACCEPTED") + tail;
    auto moved = head + vevent("ACCEPTED", {}, "20270104T140000Z") + tail;
    auto reset = unfolded(ical::reset_rescheduled(moved, previous, is_alice));
    BOOST_TEST(has(reset, "PARTSTAT=NEEDS-ACTION:mailto:bob@x"));
    BOOST_TEST(has(reset, "PARTSTAT=ACCEPTED:mailto:alice@x"));
    // A new override that moves one instance resets that instance only.
    auto one = head + vevent("ACCEPTED") +
               vevent("ACCEPTED", {}, "20270111T140000Z", "20270111T100000Z") + tail;
    reset = unfolded(ical::reset_rescheduled(one, previous, is_alice));
    BOOST_TEST(reset.find("PARTSTAT=ACCEPTED:mailto:bob@x") < reset.find("RECURRENCE-ID"));
    BOOST_TEST(reset.find("PARTSTAT=NEEDS-ACTION:mailto:bob@x") > reset.find("BEGIN:VEVENT", 40));
    // Nothing moved: the bytes stay.
    auto edited = head + vevent("ACCEPTED", "DESCRIPTION:x\r\n") + tail;
    BOOST_TEST(ical::reset_rescheduled(edited, previous, is_alice) == edited);
}

BOOST_AUTO_TEST_CASE(an_organizer_update_keeps_the_attendees_alarms_notes_and_answer) {
    auto existing = head + "X-WR-CALNAME:bob's\r\n" +
                    vevent("ACCEPTED",
                           "X-BOB:mine\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:bob\r\n"
                           "TRIGGER:-PT5M\r\nEND:VALARM\r\n") +
                    tail;
    auto incoming = head +
                    vevent("NEEDS-ACTION",
                           "SUMMARY:renamed\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                           "DESCRIPTION:alice\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n") +
                    tail;
    auto merged = unfolded(ical::merge_attendee_copy(incoming, existing, "mailto:bob@x"));
    BOOST_TEST(has(merged, "SUMMARY:renamed"));
    BOOST_TEST(has(merged, "PARTSTAT=ACCEPTED:mailto:bob@x"));
    BOOST_TEST(has(merged, "X-BOB:mine"));
    BOOST_TEST(has(merged, "X-WR-CALNAME:bob's"));
    BOOST_TEST(has(merged, "DESCRIPTION:bob"));
    BOOST_TEST(
        !has(merged, "DESCRIPTION:alice"));  // the organizer's own alarm is not the attendee's
}

BOOST_AUTO_TEST_CASE(merging_into_a_parse_edits_it_as_the_text_merge_does) {
    // Issue 24: in_step_with compares the merge without serialising it.
    auto existing = head + vevent("ACCEPTED") + tail;
    auto incoming = head + vevent("ACCEPTED") +
                    vevent("NEEDS-ACTION", {}, "20270111T140000Z", "20270111T100000Z") + tail;
    auto into = ical::parse_calendar(incoming);
    auto own = ical::parse_calendar(existing);
    BOOST_REQUIRE(into.calendar && own.calendar);
    ical::merge_into_attendee_copy(into.calendar.get(), own.calendar.get(), "mailto:bob@x");
    BOOST_TEST(std::string(icalcomponent_as_ical_string(into.calendar.get())) ==
               ical::merge_attendee_copy(incoming, existing, "mailto:bob@x"));
}

BOOST_AUTO_TEST_CASE(
    a_moved_instance_takes_the_organizers_partstat_an_unmoved_one_the_series_answer) {
    auto existing = head + vevent("ACCEPTED") + tail;
    auto incoming = head + vevent("ACCEPTED") +
                    vevent("NEEDS-ACTION", {}, "20270111T140000Z", "20270111T100000Z") +
                    vevent("NEEDS-ACTION", {}, "20270118T100000Z", "20270118T100000Z") + tail;
    auto merged = unfolded(ical::merge_attendee_copy(incoming, existing, "mailto:bob@x"));
    auto moved = merged.find("RECURRENCE-ID:20270111T100000Z");
    auto unmoved = merged.find("RECURRENCE-ID:20270118T100000Z");
    BOOST_REQUIRE(moved != std::string::npos);
    BOOST_REQUIRE(unmoved != std::string::npos);
    auto section = [&](std::size_t at) {
        auto begin = merged.rfind("BEGIN:VEVENT", at);
        return merged.substr(begin, merged.find("END:VEVENT", at) - begin);
    };
    BOOST_TEST(has(section(moved), "PARTSTAT=NEEDS-ACTION:mailto:bob@x"));
    BOOST_TEST(has(section(unmoved), "PARTSTAT=ACCEPTED:mailto:bob@x"));
}

BOOST_AUTO_TEST_CASE(a_reply_names_only_the_instances_whose_answer_changed) {
    auto before = head + vevent("ACCEPTED") + tail;
    auto now = head + vevent("ACCEPTED") +
               vevent("DECLINED", {}, "20270111T100000Z", "20270111T100000Z") + tail;
    auto reply = ical::attendee_reply(before, now, "mailto:bob@x", false);
    BOOST_REQUIRE(reply);
    auto text = unfolded(*reply);
    BOOST_TEST(has(text, "METHOD:REPLY"));
    BOOST_TEST(has(text, "RECURRENCE-ID:20270111T100000Z"));
    BOOST_TEST(!has(text, "RRULE"));  // the series' answer did not change
    BOOST_TEST(!has(text, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@x"));  // only the one replying
    BOOST_TEST(!ical::attendee_reply(before, before, "mailto:bob@x", false));
    BOOST_TEST(ical::attendee_reply(before, before, "mailto:bob@x", true).has_value());
    // A new copy still NEEDS-ACTION answers nothing.
    BOOST_TEST(
        !ical::attendee_reply({}, head + vevent("NEEDS-ACTION") + tail, "mailto:bob@x", false));
}

BOOST_AUTO_TEST_CASE(a_reply_for_one_instance_adds_an_override_to_the_organizers_copy) {
    auto copy = head + vevent("ACCEPTED") + tail;
    auto reply = ical::attendee_reply(
        copy,
        head + vevent("ACCEPTED") + vevent("DECLINED", {}, "20270111T100000Z", "20270111T100000Z") +
            tail,
        "mailto:bob@x", false);
    BOOST_REQUIRE(reply);
    auto applied = ical::apply_reply(copy, *reply);
    BOOST_REQUIRE(applied);
    BOOST_TEST(applied->changed);
    auto text = unfolded(applied->data);
    auto at = text.find("RECURRENCE-ID:20270111T100000Z");
    BOOST_REQUIRE(at != std::string::npos);
    auto begin = text.rfind("BEGIN:VEVENT", at);
    auto section = text.substr(begin, text.find("END:VEVENT", at) - begin);
    BOOST_TEST(has(section, "DTSTART:20270111T100000Z"));
    BOOST_TEST(has(section, "PARTSTAT=DECLINED:mailto:bob@x"));
    BOOST_TEST(!has(section, "RRULE"));
    BOOST_TEST(has(text, "PARTSTAT=ACCEPTED:mailto:bob@x"));  // the series
}

BOOST_AUTO_TEST_CASE(a_reply_sets_the_organizers_schedule_status_from_its_request_status) {
    auto copy = head + vevent("NEEDS-ACTION") + tail;
    auto reply = head + "METHOD:REPLY\r\n" + vevent("ACCEPTED") + tail;
    auto plain = ical::apply_reply(copy, reply);
    BOOST_REQUIRE(plain);
    BOOST_TEST(has(unfolded(plain->data), "SCHEDULE-STATUS=2.0"));
    auto with_status = reply;
    with_status.insert(with_status.find("END:VEVENT"),
                       "REQUEST-STATUS:2.8;Success\\, repeating event ignored\r\n");
    auto noted = ical::apply_reply(copy, with_status);
    BOOST_REQUIRE(noted);
    BOOST_TEST(has(unfolded(noted->data), "SCHEDULE-STATUS=2.8"));
}

BOOST_AUTO_TEST_CASE(schedule_force_send_is_removed_before_storing) {
    auto sent = head + vevent("NEEDS-ACTION") + tail;
    auto forced = sent;
    forced.replace(forced.find("ATTENDEE;PARTSTAT=NEEDS"), 8,
                   "ATTENDEE;SCHEDULE-FORCE-SEND=REQUEST");
    BOOST_TEST(!has(ical::without_force_send(forced), "SCHEDULE-FORCE-SEND"));
    BOOST_TEST(ical::without_force_send(sent) == sent);
}

BOOST_AUTO_TEST_CASE(an_attendee_may_answer_add_alarms_and_notes_but_not_move_or_rename) {
    auto stored = head + vevent("NEEDS-ACTION", "SUMMARY:Sync\r\n") + tail;
    auto answered = head +
                    vevent("ACCEPTED",
                           "SUMMARY:Sync\r\nTRANSP:TRANSPARENT\r\nX-NOTE:mine\r\nBEGIN:VALARM\r\n"
                           "ACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n") +
                    tail;
    BOOST_TEST(!ical::forbidden_attendee_change(stored, answered, is_bob, true));
    // Declining one instance with an override that restates it is an answer too.
    auto declined = head + vevent("ACCEPTED", "SUMMARY:Sync\r\n") +
                    vevent("DECLINED", "SUMMARY:Sync\r\n", "20270111T100000Z", "20270111T100000Z") +
                    tail;
    BOOST_TEST(!ical::forbidden_attendee_change(stored, declined, is_bob, true));

    auto renamed = head + vevent("ACCEPTED", "SUMMARY:Mine now\r\n") + tail;
    auto why = ical::forbidden_attendee_change(stored, renamed, is_bob, true);
    BOOST_TEST_REQUIRE(why.has_value());
    BOOST_TEST(has(*why, "SUMMARY"));
    auto moved = head + vevent("ACCEPTED", "SUMMARY:Sync\r\n", "20270104T140000Z") + tail;
    BOOST_TEST(ical::forbidden_attendee_change(stored, moved, is_bob, true).has_value());
    auto moved_instance =
        head + vevent("ACCEPTED", "SUMMARY:Sync\r\n") +
        vevent("ACCEPTED", "SUMMARY:Sync\r\n", "20270111T150000Z", "20270111T100000Z") + tail;
    BOOST_TEST(ical::forbidden_attendee_change(stored, moved_instance, is_bob, true).has_value());
    auto added = head + vevent("ACCEPTED", "SUMMARY:Sync\r\nATTENDEE:mailto:eve@x\r\n") + tail;
    BOOST_TEST(ical::forbidden_attendee_change(stored, added, is_bob, true).has_value());
}

BOOST_AUTO_TEST_CASE(another_attendees_answer_is_refused_unless_the_server_merges_answers) {
    auto stored = head + vevent("NEEDS-ACTION") + tail;
    // The user is bob; alice's PARTSTAT changed from ACCEPTED to DECLINED.
    auto sent = stored;
    sent.replace(sent.find("PARTSTAT=ACCEPTED:mailto:alice@x"), 17, "PARTSTAT=DECLINED");
    BOOST_TEST(ical::forbidden_attendee_change(stored, sent, is_bob, true).has_value());
    BOOST_TEST(!ical::forbidden_attendee_change(stored, sent, is_bob, false));
    BOOST_TEST(!ical::forbidden_attendee_change("not ical", sent, is_bob, true));
}

BOOST_AUTO_TEST_CASE(scheduling_info_asked_again_about_a_text_answers_for_that_text_among_many) {
    // Six texts, more than the answers kept per thread, asked in turns: each
    // answer is its own text's (PARTSTAT, UID), never a neighbour's.
    std::vector<std::string> texts;
    const char* partstats[] = {"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION", "DELEGATED", "ACCEPTED"};
    for (int i = 0; i < 6; ++i) {
        auto text = head + vevent(partstats[i]) + tail;
        texts.push_back(text.replace(text.find("UID:s1"), 6, "UID:s" + std::to_string(i)));
    }
    for (int round = 0; round < 3; ++round)
        for (int i = 0; i < 6; ++i) {
            auto info = ical::scheduling_info(texts[i]);
            BOOST_REQUIRE(info.has_value());
            BOOST_TEST(info->uid == "s" + std::to_string(i));
            BOOST_REQUIRE(info->attendees.size() >= 1u);
            auto bob = std::find_if(info->attendees.begin(), info->attendees.end(),
                                    [](const ical::Attendee& a) { return a.address.find("bob") != std::string::npos; });
            BOOST_REQUIRE(bob != info->attendees.end());
            BOOST_TEST(bob->partstat == partstats[i]);
        }
    // Not a scheduling object: no answer, asked once or twice.
    const std::string plain = head + "BEGIN:VEVENT\r\nUID:p\r\nDTSTAMP:20260101T000000Z\r\n"
                                     "DTSTART:20270104T100000Z\r\nEND:VEVENT\r\n" + tail;
    BOOST_TEST(!ical::scheduling_info(plain).has_value());
    BOOST_TEST(!ical::scheduling_info(plain).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

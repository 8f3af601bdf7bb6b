// PARTSTAT and other values libical has no name for (issue 22 item 2): read,
// copied and rewritten without a NULL ever becoming a std::string.
#include "ical/libical_text.hpp"

#include <boost/test/unit_test.hpp>

#include "ical/itip.hpp"
#include "ical/object_index.hpp"
#include "ical/scheduling.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

const std::string odd_partstats = event(
    "DTSTART:20240105T100000Z\n"
    "ORGANIZER:mailto:alice@example.com\n"
    "ATTENDEE;PARTSTAT=X-FOO:mailto:bob@example.com\n"
    "ATTENDEE;PARTSTAT=ACCEPTEX:mailto:carol@example.com\n"
    "ATTENDEE;PARTSTAT=NONE:mailto:dave@example.com\n"
    "ATTENDEE;PARTSTAT=accepted:mailto:erin@example.com\n"
    "ATTENDEE:mailto:frank@example.com");

}  // namespace

BOOST_AUTO_TEST_SUITE(libical_text)

BOOST_AUTO_TEST_CASE(partstat_x_name_and_iana_token_values_are_kept_not_crashed_on) {
    auto info = ical::scheduling_info(odd_partstats);
    BOOST_REQUIRE(info);
    std::vector<std::string> partstats;
    for (const auto& a : info->attendees) partstats.push_back(a.partstat);
    std::vector<std::string> want{"X-FOO", "ACCEPTEX", "NONE", "ACCEPTED", "NEEDS-ACTION"};
    BOOST_TEST(partstats == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(messages_and_copies_of_odd_partstats_keep_them) {
    auto request = ical::itip_message(odd_partstats, "REQUEST");
    BOOST_TEST(request.find("PARTSTAT=X-FOO:mailto:bob") != std::string::npos);
    auto reply = ical::itip_message(odd_partstats, "REPLY", "mailto:carol@example.com");
    BOOST_TEST(reply.find("PARTSTAT=ACCEPTEX:mailto:carol") != std::string::npos);
    auto summary = ical::itip_summary(request);
    BOOST_REQUIRE(summary);
    BOOST_REQUIRE(summary->attendees.size() == 5u);
    BOOST_TEST(summary->attendees[0].partstat == "X-FOO");
    auto changed = ical::with_partstat(odd_partstats, "mailto:bob@example.com", "X-MAYBE");
    BOOST_TEST(changed.find("PARTSTAT=X-MAYBE:mailto:bob") != std::string::npos);
    changed = ical::with_partstat(odd_partstats, "mailto:dave@example.com", "DECLINED");
    BOOST_TEST(changed.find("PARTSTAT=DECLINED:mailto:dave") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(unknown_properties)

// RFC 5545 §3.7, §3.8.8.1: iana-token properties and parameters libical 3.0
// does not know are kept (issue 22 item 11).
const std::string rfc9073 = event(
    "DTSTART:20240105T100000Z\n"
    "STRUCTURED-DATA;VALUE=URI;FMTTYPE=application/ld+json:http://example.com/e.json\n"
    "STRUCTURED-LOCATION;VALUE=URI;LABEL=\"Room: 1\";FOO=bar:geo:52.5,13.4\n"
    "SOME-FUTURE-PROPERTY:text\n"
    "ORGANIZER:mailto:alice@example.com\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;NEW-PARAM=x:mailto:bob@example.com");

BOOST_AUTO_TEST_CASE(unknown_iana_properties_are_accepted) {
    auto r = ical::index_object(rfc9073, 1000);
    BOOST_TEST(static_cast<bool>(r), (r ? std::string() : r.error->message));
}

BOOST_AUTO_TEST_CASE(unknown_iana_properties_and_parameters_survive_rewriting) {
    auto copy = ical::attendee_copy(rfc9073);
    for (std::size_t p; (p = copy.find("\r\n ")) != std::string::npos;) copy.erase(p, 3);  // unfold
    BOOST_TEST(copy.find("STRUCTURED-DATA;VALUE=URI;FMTTYPE=application/ld+json:http://example.com/e.json") !=
               std::string::npos);
    BOOST_TEST(copy.find("STRUCTURED-LOCATION;VALUE=URI;LABEL=\"Room: 1\";FOO=bar:geo:52.5,13.4") != std::string::npos);
    BOOST_TEST(copy.find("SOME-FUTURE-PROPERTY:text") != std::string::npos);
    BOOST_TEST(copy.find("NEW-PARAM=x") != std::string::npos);
    BOOST_TEST(copy.find("X-KALENDS") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(known_property_names_in_lower_case_are_read_as_libical_knows_them) {
    // Names libical has a kind for are found in a table built once (issue 24);
    // one it did not find would come back under its own spelling, not LOCATION.
    auto copy = ical::attendee_copy(event("DTSTART:20240105T100000Z\nlocation:Room 1\nSummary:Lunch"));
    BOOST_TEST(copy.find("LOCATION:Room 1") != std::string::npos);
    BOOST_TEST(copy.find("SUMMARY:Lunch") != std::string::npos);
    BOOST_TEST(copy.find("X-KALENDS") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

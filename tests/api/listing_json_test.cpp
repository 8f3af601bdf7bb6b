// The week listing's answer written as JSON text (src/api/event_json.hpp,
// listing_json; issue 24): the members the API documents, in their order,
// escaped byte for byte as boost::json::serialize writes them.
#define BOOST_TEST_MODULE listing_json
#include "src/api/event_json.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;

namespace {

/// An instance with the fields the listing shows.
caldav::ListedInstance instance(std::string id, std::string title, std::int64_t start) {
    auto view = std::make_shared<ical::EventView>();
    view->uid = id;
    view->title = std::move(title);
    caldav::ListedInstance i;
    i.event_id = std::move(id);
    i.calendar_id = "calendar";
    i.start = start;
    i.end = start + 1800;
    i.view = std::move(view);
    return i;
}

std::vector<std::string> keys(const json::object& o) {
    std::vector<std::string> out;
    for (const auto& m : o) out.emplace_back(m.key());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_page_reads_back_member_by_member_in_the_documented_order) {
    auto series = instance("series-1", "Standup", 1704376800);  // 2024-01-04T14:00:00Z
    auto view = std::make_shared<ical::EventView>(*series.view);
    view->location = "Room 1";
    view->time_zone = "America/New_York";
    view->attendees.resize(3);
    view->status = "TENTATIVE";
    series.view = view;
    series.is_recurring = true;
    series.instance_date = 1704376800;
    series.my_status = "organizer";
    series.conflicts = true;
    auto single = instance("single-2", "Lunch", 1704380400);
    auto text = server::api::listing_json({series, single}, 7, "America/New_York", std::string("1704380400.single-2"));

    auto o = json::parse(text).as_object();
    BOOST_TEST((keys(o) == std::vector<std::string>{"events", "total", "time_zone", "next_cursor"}));
    BOOST_TEST(o.at("total").to_number<std::uint64_t>() == 7u);
    BOOST_TEST(o.at("time_zone").as_string() == "America/New_York");
    BOOST_TEST(o.at("next_cursor").as_string() == "1704380400.single-2");
    const auto& events = o.at("events").as_array();
    BOOST_TEST_REQUIRE(events.size() == 2u);
    const auto& s = events[0].as_object();
    BOOST_TEST((keys(s) == std::vector<std::string>{"event_id", "calendar_id", "title", "location", "start_time",
                                                    "end_time", "all_day", "time_zone", "is_recurring",
                                                    "instance_date", "exception_id", "attendees_count",
                                                    "my_status", "conflicts", "status"}));
    BOOST_TEST(s.at("event_id").as_string() == "series-1");
    BOOST_TEST(s.at("calendar_id").as_string() == "calendar");
    BOOST_TEST(s.at("title").as_string() == "Standup");
    BOOST_TEST(s.at("location").as_string() == "Room 1");
    BOOST_TEST(s.at("start_time").as_string() == "2024-01-04T14:00:00Z");
    BOOST_TEST(s.at("end_time").as_string() == "2024-01-04T14:30:00Z");
    BOOST_TEST(s.at("all_day").as_bool() == false);
    BOOST_TEST(s.at("time_zone").as_string() == "America/New_York");
    BOOST_TEST(s.at("is_recurring").as_bool() == true);
    BOOST_TEST(s.at("instance_date").as_string() == "2024-01-04T14:00:00Z");
    BOOST_TEST(s.at("exception_id").as_string() == "series-1_20240104T140000Z");
    BOOST_TEST(s.at("attendees_count").to_number<std::uint64_t>() == 3u);
    BOOST_TEST(s.at("my_status").as_string() == "organizer");
    BOOST_TEST(s.at("conflicts").as_bool() == true);
    BOOST_TEST(s.at("status").as_string() == "tentative");
    // Unset values are null, not empty strings.
    const auto& l = events[1].as_object();
    BOOST_TEST(l.at("time_zone").is_null());
    BOOST_TEST(l.at("instance_date").is_null());
    BOOST_TEST(l.at("exception_id").is_null());
    BOOST_TEST(l.at("my_status").is_null());
    BOOST_TEST(l.at("is_recurring").as_bool() == false);
    BOOST_TEST(l.at("conflicts").as_bool() == false);
    BOOST_TEST(l.at("status").as_string() == "confirmed");
    BOOST_TEST(l.at("attendees_count").to_number<std::uint64_t>() == 0u);
    // The same bytes as boost::json writes the same members.
    BOOST_TEST(json::serialize(json::parse(text)) == text);
}

BOOST_AUTO_TEST_CASE(titles_with_quotes_backslashes_control_characters_and_utf8_are_escaped_as_boost_json_does) {
    const std::string hostile = std::string("say \"hi\" \\ back\\slash\n\t\r\b\f") + '\x01' + '\x1f' + '\x7f' +
                                " caf\xc3\xa9 \xe2\x98\x95 </script> end";
    auto i = instance("id \"quoted\"\\", hostile, 0);
    auto view = std::make_shared<ical::EventView>(*i.view);
    view->location = std::string(1, '\0') + "nul";
    i.view = view;
    auto text = server::api::listing_json({i}, 1, "UTC", std::nullopt);
    auto o = json::parse(text).as_object();
    const auto& e = o.at("events").as_array().at(0).as_object();
    BOOST_TEST(std::string(e.at("title").as_string()) == hostile);
    BOOST_TEST(std::string(e.at("location").as_string()) == std::string(1, '\0') + "nul");
    BOOST_TEST(std::string(e.at("event_id").as_string()) == "id \"quoted\"\\");
    BOOST_TEST(o.at("next_cursor").is_null());
    BOOST_TEST(json::serialize(json::parse(text)) == text);
    BOOST_TEST(text.find("\\u0001") != std::string::npos);  // lower-case hex, as boost writes it
}

BOOST_AUTO_TEST_CASE(an_empty_page_is_an_empty_array) {
    auto text = server::api::listing_json({}, 0, "Europe/Berlin", std::nullopt);
    BOOST_TEST(text == R"({"events":[],"total":0,"time_zone":"Europe/Berlin","next_cursor":null})");
}

// The load driver reads hrefs out of multistatus answers whatever prefix a
// server gives the DAV: namespace (bench/http/dav_answers.hpp).
#define BOOST_TEST_MODULE bench
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "bench/http/dav_answers.hpp"

namespace {

std::vector<std::string> hrefs(std::string_view xml) { return bench::element_texts(xml, "href"); }

}  // namespace

BOOST_AUTO_TEST_CASE(element_texts_are_found_under_any_prefix_or_none) {
    const std::string xml =
        "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">"
        "<D:response><D:href>/c/a.ics</D:href><D:propstat><D:prop><D:getetag>\"1\"</D:getetag>"
        "</D:prop></D:propstat></D:response>"
        "<ns0:response><ns0:href>/c/b.ics</ns0:href></ns0:response>"
        "<response xmlns=\"DAV:\"><href>/c/c.ics</href></response>"
        "<response><href\n>/c/d.ics</href></response>"
        "</D:multistatus>";
    BOOST_TEST(hrefs(xml) == (std::vector<std::string>{"/c/a.ics", "/c/b.ics", "/c/c.ics", "/c/d.ics"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(attributes_and_empty_elements_are_read) {
    const std::string xml = "<d:href xmlns:d=\"DAV:\">/x/1.ics</d:href><d:href/><href />";
    BOOST_TEST(hrefs(xml) == (std::vector<std::string>{"/x/1.ics", "", ""}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(end_tags_longer_names_and_text_mentioning_the_name_are_not_elements) {
    // "href" inside text, inside an attribute value, at the start of a longer
    // name and after an end tag's slash must not be taken for an element.
    const std::string xml =
        "<D:response><D:hrefs>/no/1.ics</D:hrefs><D:xhref>/no/2.ics</D:xhref>"
        "<D:displayname>my href list</D:displayname><D:prop a=\"href\">/no/3.ics</D:prop>"
        "<D:href>/dav/href/ok.ics</D:href></D:response>href";
    BOOST_TEST(hrefs(xml) == (std::vector<std::string>{"/dav/href/ok.ics"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(object_names_are_the_sorted_base_names_of_ics_hrefs) {
    const std::string xml =
        "<D:href>/dav/cal/ev2.ics</D:href><D:href>/dav/cal/</D:href><D:href>/dav/cal/ev10.ics</D:href>"
        "<D:href>/dav/cal/ev2.ics</D:href>";
    const auto names = bench::object_name_views(xml);
    BOOST_TEST(names == (std::vector<std::string_view>{"ev10.ics", "ev2.ics", "ev2.ics"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unfinished_answer_gives_what_is_complete) {
    BOOST_TEST(hrefs("<D:href>/a.ics</D:href><D:href>/b.i") == std::vector<std::string>{"/a.ics"},
               boost::test_tools::per_element());
    BOOST_TEST(hrefs("<D:href").empty());
}

// kalends import and export (issue 29 §3): Google Calendar and Outlook
// exports (fixtures written from their documented formats) split into one
// object per UID with overrides kept with their master, Windows zone names
// resolved, skipped components explained; an export imports back the same.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <map>

#include "src/storage/sqlite.hpp"
#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
    const char* data = std::getenv("KALENDS_OPS_DATA");
    if (!data) throw std::runtime_error("KALENDS_OPS_DATA is not set");
    return std::string(data) + "/" + name;
}

/// A stored object as the import left it.
struct Stored {
    std::string uid;
    std::string data;
    std::int64_t first_start = 0;
    int vevents = 0;
};

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

/// The objects of alice's calendar `calendar`, by name.
std::map<std::string, Stored> calendar(const fs::path& data, const std::string& name) {
    server::sqlite::Db db(data / "kalends.sqlite3", false, true);
    auto st = db.prepare(
        "SELECT o.name, o.uid, o.data, coalesce(o.first_start, 0) FROM objects o JOIN collections c ON c.id = "
        "o.collection_id WHERE c.name = ?1");
    st.bind(1, name);
    std::map<std::string, Stored> out;
    while (st.step())
        out[st.text(0)] = {st.text(1), st.text(2), st.int64(3), count(st.text(2), "BEGIN:VEVENT")};
    return out;
}

std::string display_name(const fs::path& data, const std::string& name) {
    server::sqlite::Db db(data / "kalends.sqlite3", false, true);
    auto st = db.prepare("SELECT display_name FROM collections WHERE name = ?1");
    st.bind(1, name);
    return st.step() ? st.text(0) : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(import_export)

BOOST_AUTO_TEST_CASE(a_google_calendar_export_becomes_one_object_per_uid_with_its_override) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    auto out = ops_test::run_kalends({"import", "alice/team", fixture("google_calendar.ics")}, dir.path());
    BOOST_TEST(out.find("imported 3 objects into alice/team; skipped 2") != std::string::npos, out);
    BOOST_TEST(out.find("(\"Lost its UID\"): no UID") != std::string::npos, out);
    BOOST_TEST(out.find("UID 5mars0zone1nowhere@google.com: a TZID names no VTIMEZONE") != std::string::npos, out);
    auto objects = calendar(dir.path(), "team");
    BOOST_TEST_REQUIRE(objects.size() == 3u);
    const auto& standup = objects.at("7kukuqrfedlm2f9t0vr2ecb1hq@google.com.ics");
    BOOST_TEST(standup.vevents == 2);  // the master and its overridden 7 January
    BOOST_TEST(count(standup.data, "RECURRENCE-ID") == 1);
    BOOST_TEST(count(standup.data, "BEGIN:VTIMEZONE") == 1);
    BOOST_TEST(standup.data.find("METHOD:") == std::string::npos);  // RFC 4791 §4.1
    BOOST_TEST(standup.first_start == 1767623400);                  // 2026-01-05 09:30 EST
    const auto& offsite = objects.at("0r5ac1r1q4g3s7k0ei9pfo4n2c@google.com.ics");
    BOOST_TEST(count(offsite.data, "BEGIN:VTIMEZONE") == 0);  // an all-day event names no zone
    BOOST_TEST(objects.at("3q0d9vbd4a1n3f8m7m2k5ka1ud@google.com.ics").data.find("BEGIN:VALARM") !=
               std::string::npos);
    BOOST_TEST(display_name(dir.path(), "team") == "Team");
}

BOOST_AUTO_TEST_CASE(an_outlook_export_with_windows_zone_names_imports_at_the_right_times) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    auto out = ops_test::run_kalends({"import", "alice", fixture("outlook.ics")}, dir.path());
    BOOST_TEST(out.find("imported 3 objects into alice/calendar; skipped 0") != std::string::npos, out);
    auto objects = calendar(dir.path(), "calendar");
    BOOST_TEST_REQUIRE(objects.size() == 3u);
    std::map<std::string, const Stored*> by_uid;
    for (const auto& [name, o] : objects) by_uid[o.uid.substr(o.uid.size() - 8)] = &o;
    // "W. Europe Standard Time", defined in the file: 10:00 CET is 09:00 UTC.
    BOOST_TEST(by_uid.at("5E2B7F11")->first_start == 1773133200);
    BOOST_TEST(by_uid.at("5E2B7F11")->vevents == 2);
    // "Pacific Standard Time" without a VTIMEZONE: CLDR's America/Los_Angeles, 09:00 PDT is 16:00 UTC.
    BOOST_TEST(by_uid.at("71605F4E")->first_start == 1773158400);
    BOOST_TEST(ops_test::run_kalends({"check"}, dir.path()).find("clean") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_exported_calendar_imports_back_to_the_same_objects) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    ops_test::run_kalends({"import", "alice/work", fixture("outlook.ics")}, dir.path());
    auto file = dir.path() / "work.ics";
    ops_test::run_kalends({"export", "alice/work", file.string()}, dir.path());
    auto out = ops_test::run_kalends({"import", "alice/copy", file.string()}, dir.path());
    BOOST_TEST(out.find("imported 3 objects into alice/copy; skipped 0") != std::string::npos, out);
    auto original = calendar(dir.path(), "work");
    auto copy = calendar(dir.path(), "copy");
    BOOST_TEST_REQUIRE(copy.size() == original.size());
    for (const auto& [name, o] : original) {
        BOOST_TEST_REQUIRE(copy.count(name) == 1u, name);
        BOOST_TEST(copy.at(name).uid == o.uid);
        BOOST_TEST(copy.at(name).vevents == o.vevents);
        BOOST_TEST(copy.at(name).first_start == o.first_start);
    }
    BOOST_TEST(display_name(dir.path(), "copy") == "Work calendar");
    // Importing the same file again replaces, it does not duplicate.
    ops_test::run_kalends({"import", "alice/copy", file.string()}, dir.path());
    BOOST_TEST(calendar(dir.path(), "copy").size() == original.size());
}

BOOST_AUTO_TEST_SUITE_END()

// What the contract cases share (store_contract_*.cpp): the Case record each
// part lists its cases in, and the helpers that build calendar data and
// collections the way the protocol layer does. Not for use outside the suite.
#pragma once
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include "caldav/calendar_data.hpp"
#include "caldav/write_set.hpp"
#include "tests/storage/store_contract.hpp"

namespace contract {

/// One contract case: its test name, its body, and how many of its checks a
/// backend is known to fail (each such case says why, above its body).
struct Case {
    const char* name;
    void (*run)(Fixture&);
    boost::unit_test::counter_t expected_failures = 0;
};

/// The cases of each part of the suite, one function per file.
std::span<const Case> collections_cases();
std::span<const Case> objects_cases();
std::span<const Case> sync_cases();
std::span<const Case> time_cases();
std::span<const Case> jobs_cases();
std::span<const Case> idempotency_cases();
std::span<const Case> grants_cases();
std::span<const Case> push_cases();
std::span<const Case> feeds_cases();  ///< issue 25 §8
std::span<const Case> delegations_cases();  ///< issue 25 §5
std::span<const Case> user_limits_cases();  ///< issue 29 §6

using caldav::CollectionKind;
using caldav::CollectionRecord;
using caldav::PutObject;
using caldav::StoreStatus;

constexpr std::int64_t hour = 3600;

/// Unix seconds of a UTC date and time.
inline std::int64_t utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
    using namespace std::chrono;
    const sys_days date{year{y} / month{mo} / day{d}};
    return duration_cast<seconds>(date.time_since_epoch()).count() + h * hour + mi * 60;
}

/// The day most events of the suite fall on: 2025-03-10T00:00:00Z.
inline const std::int64_t day0 = utc(2025, 3, 10);

/// The iCalendar UTC form of unix seconds ("20250310T090000Z").
inline std::string ical_utc(std::int64_t t) {
    const std::time_t tt = t;
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[20];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/// A VCALENDAR holding `component` (its lines between BEGIN and END).
inline std::string vcalendar(const std::string& component) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//contract//EN\r\n" + component +
           "END:VCALENDAR\r\n";
}

/// A VEVENT from `start` to `end` (unix seconds, UTC) with `extra` lines.
inline std::string event(const std::string& uid, std::int64_t start, std::int64_t end,
                         const std::string& extra = "") {
    return vcalendar("BEGIN:VEVENT\r\nUID:" + uid +
                     "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + ical_utc(start) +
                     "\r\nDTEND:" + ical_utc(end) + "\r\n" + extra + "END:VEVENT\r\n");
}

/// A VEVENT written in a VCALENDAR verbatim (`lines` between its UID and END).
inline std::string event_lines(const std::string& uid, const std::string& lines) {
    return vcalendar("BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\n" + lines +
                     "END:VEVENT\r\n");
}

/// A put of calendar data, indexed as the protocol layer indexes it
/// (validate_calendar_data), not by hand.
inline PutObject calendar_object(std::int64_t collection_id, const std::string& name,
                                 const std::string& data) {
    auto index = caldav::validate_calendar_data(data, caldav::Limits{});
    PutObject o;
    o.collection_id = collection_id;
    o.name = name;
    o.uid = index.uid;
    o.component = index.component;
    o.data = data;
    o.first_start = index.first_start;
    o.last_end = index.last_end;
    o.instances = std::move(index.instances);
    return o;
}

/// A put of a non-calendar resource (a plain collection's member).
inline PutObject plain_resource(std::int64_t collection_id, const std::string& name,
                                const std::string& text) {
    PutObject o;
    o.collection_id = collection_id;
    o.name = name;
    o.data = text;
    o.content_type = "text/plain";
    return o;
}

/// Creates a collection of `owner`; the test stops if the store refuses.
inline CollectionRecord make_collection(Fixture& f, std::int64_t owner, const std::string& name,
                                        CollectionKind kind = CollectionKind::calendar) {
    CollectionRecord c;
    c.owner_id = owner;
    c.name = name;
    c.kind = kind;
    BOOST_TEST_REQUIRE((f.store().create_collection(c) == StoreStatus::ok));
    return c;
}

/// Stores `o`; the test stops if the store refuses. Returns the result.
inline caldav::PutResult put(Fixture& f, const PutObject& o) {
    auto r = f.store().put_object(o);
    BOOST_TEST_REQUIRE((r.status == StoreStatus::ok), "put of " << o.name);
    return r;
}

/// Stores an event named `name` in `collection_id`; returns its ETag.
inline std::string put_event(Fixture& f, std::int64_t collection_id, const std::string& name,
                             const std::string& uid, std::int64_t start = day0 + 9 * hour,
                             std::int64_t end = day0 + 10 * hour, const std::string& extra = "") {
    return put(f, calendar_object(collection_id, name, event(uid, start, end, extra))).etag;
}

inline std::int64_t revision_of(Fixture& f, std::int64_t owner, const std::string& collection) {
    auto c = f.store().find_collection(owner, collection);
    BOOST_TEST_REQUIRE(c.has_value(), "collection " << collection);
    return c->revision;
}

inline std::set<std::string> names_in_range(Fixture& f, std::int64_t collection_id,
                                            std::optional<std::int64_t> start,
                                            std::optional<std::int64_t> end) {
    std::set<std::string> out;
    for (const auto& o : f.store().list_objects_in_range(collection_id, start, end, false))
        out.insert(o.name);
    return out;
}

inline caldav::DeadProperty colour(const std::string& value) {
    return {"http://apple.com/ns/ical/", "calendar-color",
            "<calendar-color xmlns=\"http://apple.com/ns/ical/\">" + value + "</calendar-color>"};
}

inline caldav::DeadProperty order(const std::string& value) {
    return {"http://apple.com/ns/ical/", "calendar-order",
            "<calendar-order xmlns=\"http://apple.com/ns/ical/\">" + value + "</calendar-order>"};
}

inline std::vector<std::string> names_of(const std::vector<caldav::DeadProperty>& props) {
    std::vector<std::string> out;
    for (const auto& p : props) out.push_back(p.name);
    std::sort(out.begin(), out.end());
    return out;
}

inline caldav::OutgoingMail mail_to(std::int64_t sender, const std::string& recipient) {
    return {sender, "uid-m", recipient, "calendar@example.org", "Subject: x\r\n\r\nx\r\n"};
}

inline caldav::NewJob job(const std::string& kind, std::int64_t due,
                          const std::string& payload = "p") {
    return {kind, 7, due, payload};
}

using strings = std::vector<std::string>;

}  // namespace contract

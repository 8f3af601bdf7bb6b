// /metrics (issue 29 §1): the exposition parses with Prometheus' own text
// parser, its counters move with the requests made, and scrapes without the
// right to read it are refused.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "src/http/metrics_endpoint.hpp"
#include "src/util/metrics.hpp"
#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"

using ops_test::as;
using ops_test::Server;

namespace {

/// Samples by "name{k=v,...}" as python3-prometheus-client parsed them.
using Samples = std::map<std::string, double>;

Samples parse_exposition(const std::string& text) {
    const char* data = std::getenv("KALENDS_OPS_DATA");
    BOOST_TEST_REQUIRE(data != nullptr);
    test_support::Child py({"/usr/bin/python3", std::string(data) + "/parse_metrics.py"});
    py.write_stdin(text);
    py.close_stdin();
    auto status = py.wait(std::chrono::seconds(30));
    BOOST_TEST_REQUIRE(status.has_value());
    BOOST_TEST_REQUIRE(*status == 0, py.err());
    Samples out;
    std::istringstream lines(py.out());
    std::string line;
    while (std::getline(lines, line)) {
        auto tab1 = line.find('\t');
        auto tab2 = line.find('\t', tab1 + 1);
        out[line.substr(0, tab1) + "{" + line.substr(tab1 + 1, tab2 - tab1 - 1) + "}"] =
            std::stod(line.substr(tab2 + 1));
    }
    return out;
}

double value(const Samples& s, const std::string& key) {
    auto it = s.find(key);
    return it == s.end() ? 0.0 : it->second;
}

Samples scrape(const Server& server, const std::string& auth = {}) {
    auto r = server.call("GET", "/metrics", auth);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.header("content-type").find("version=0.0.4") != std::string::npos);
    return parse_exposition(r.body);
}

const std::string event_json = R"({"title": "Metrics check", "start_time": "2026-03-02T10:00:00Z",
  "end_time": "2026-03-02T10:30:00Z", "time_zone": "UTC"})";

const std::string event_ics =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:metrics-1\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260302T120000Z\r\nDURATION:PT1H\r\nSUMMARY:m\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The value of the string member `key` in a flat JSON answer (an id: no escapes).
std::string json_string(const std::string& body, const std::string& key) {
    auto at = body.find("\"" + key + "\"");
    BOOST_TEST_REQUIRE(at != std::string::npos, body);
    auto open = body.find('"', body.find(':', at) + 1);
    return body.substr(open + 1, body.find('"', open + 1) - open - 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(metrics_parse_as_prometheus_text_and_their_counters_move_with_requests) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    Server server(dir.path());
    auto before = scrape(server);
    const std::string propfind_home = "kalends_http_requests_total{kind=home,method=PROPFIND,status=2xx}";
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(server.call("PROPFIND", "/dav/calendars/alice/", as("alice"), {}, "Depth: 0\r\n").status == 207);
    BOOST_TEST(server.call("PUT", "/dav/calendars/alice/calendar/m.ics", as("alice"), event_ics,
                           "Content-Type: text/calendar\r\n").status == 201);
    BOOST_TEST(server.call("PROPFIND", "/dav/calendars/alice/", test_support::basic_auth("alice", "wrong"), {},
                           "Depth: 0\r\n").status == 401);
    BOOST_TEST(server.call("POST", "/api/v1/events", as("alice"), event_json,
                           "Content-Type: application/json\r\n").status == 201);
    // A request is counted once its answer is written, which the client can
    // see first: the scrape waits (a bounded while) for the last one.
    const std::string api_post = "kalends_http_requests_total{kind=api,method=POST,status=2xx}";
    auto after = scrape(server);
    for (int i = 0; i < 100 && value(after, api_post) < 1.0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        after = scrape(server);
    }

    BOOST_TEST(value(after, propfind_home) - value(before, propfind_home) == 3.0);
    BOOST_TEST(value(after, "kalends_http_requests_total{kind=object,method=PUT,status=2xx}") == 1.0);
    BOOST_TEST(value(after, "kalends_http_requests_total{kind=home,method=PROPFIND,status=4xx}") == 1.0);
    BOOST_TEST(value(after, api_post) == 1.0);
    // The scrape before counts as a request of kind "other".
    BOOST_TEST(value(after, "kalends_http_requests_total{kind=other,method=GET,status=2xx}") >= 1.0);
    BOOST_TEST(value(after, "kalends_http_request_duration_seconds_count{kind=home,method=PROPFIND}") == 4.0);
    BOOST_TEST(value(after, "kalends_http_request_duration_seconds_bucket{kind=home,le=+Inf,method=PROPFIND}") ==
               4.0);
    BOOST_TEST(value(after, "kalends_http_request_duration_seconds_sum{kind=home,method=PROPFIND}") > 0.0);
    BOOST_TEST(value(after, "kalends_auth_failures_total{}") - value(before, "kalends_auth_failures_total{}") == 1.0);
    BOOST_TEST(value(after, "kalends_api_operation_duration_seconds_count{operation=event_create}") == 1.0);
    BOOST_TEST(value(after, "kalends_api_operation_duration_seconds_count{operation=availability_check}") == 0.0);
    BOOST_TEST(value(after, "kalends_connections_accepted_total{}") -
                   value(before, "kalends_connections_accepted_total{}") >= 7.0);
    BOOST_TEST(value(after, "kalends_connections_open{}") >= 1.0);
    BOOST_TEST(value(after, "kalends_database_bytes{}") > 0.0);
    BOOST_TEST(after.count("kalends_database_wal_bytes{}") == 1u);
    BOOST_TEST(after.count("kalends_collection_cache_bytes{}") == 1u);
    BOOST_TEST(after.count("kalends_collection_cache_requests_total{result=hit}") == 1u);
}

BOOST_AUTO_TEST_CASE(each_figure_the_specification_names_moves_with_the_request_that_makes_it) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    ops_test::add_user(dir.path(), "bob");
    Server server(dir.path());
    auto before = scrape(server);
    const std::string json = "Content-Type: application/json\r\n";
    // A meeting with a local attendee and an external one (no relay configured).
    auto created = server.call("POST", "/api/v1/events", as("alice"), R"({"title": "Planning",
      "start_time": "2026-03-03T10:00:00Z", "end_time": "2026-03-03T11:00:00Z", "time_zone": "UTC",
      "attendees": [{"email": "bob@example.com"}, {"email": "carol@elsewhere.example"}]})", json);
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
    auto id = json_string(created.body, "event_id");
    BOOST_TEST(server.call("POST", "/api/v1/availability/check", as("alice"), R"({"users": ["bob@example.com"],
      "start_time": "2026-03-03T08:00:00Z", "end_time": "2026-03-03T18:00:00Z", "time_zone": "UTC"})", json)
                   .status == 200);
    BOOST_TEST(server.call("POST", "/api/v1/events/" + id + "/rsvp", as("bob"), R"({"response": "accepted"})", json)
                   .status == 200);
    auto after = scrape(server);
    auto moved = [&](const std::string& key) { return value(after, key) - value(before, key); };

    BOOST_TEST(moved("kalends_api_operation_duration_seconds_count{operation=event_create}") == 1.0);
    BOOST_TEST(moved("kalends_api_operation_duration_seconds_count{operation=availability_check}") == 1.0);
    BOOST_TEST(moved("kalends_api_operation_duration_seconds_count{operation=rsvp}") == 1.0);
    BOOST_TEST(moved("kalends_conflict_detection_seconds_count{}") >= 1.0);
    BOOST_TEST(value(after, "kalends_conflict_detection_seconds_sum{}") > 0.0);
    // bob's inbox got the invitation, alice's the reply; carol is not reachable without a relay.
    BOOST_TEST(moved("kalends_scheduling_deliveries_total{channel=local,result=delivered}") >= 2.0);
    BOOST_TEST(moved("kalends_scheduling_deliveries_total{channel=imip,result=failed}") >= 1.0);
    BOOST_TEST(moved("kalends_scheduling_deliveries_total{channel=imip,result=delivered}") == 0.0);
    BOOST_TEST(after.count("kalends_notification_delivery_rate{}") == 1u);
    // The writes went to the write-ahead log; no checkpoint ran over the few pages.
    BOOST_TEST(value(after, "kalends_database_wal_checkpoint_lag_frames{}") > 0.0);
    BOOST_TEST(value(after, "kalends_collection_cache_hit_ratio{}") >= 0.0);
    BOOST_TEST(value(after, "kalends_collection_cache_hit_ratio{}") <= 1.0);
}

BOOST_AUTO_TEST_CASE(week_queries_move_the_collection_cache_counters) {
    test_support::TempDir dir;
    ops_test::add_user(dir.path(), "alice");
    Server server(dir.path());
    BOOST_TEST(server.call("PUT", "/dav/calendars/alice/calendar/m.ics", as("alice"), event_ics,
                           "Content-Type: text/calendar\r\n").status == 201);
    const std::string query =
        "<?xml version=\"1.0\"?><C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
        "<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
        "<C:time-range start=\"20260301T000000Z\" end=\"20260308T000000Z\"/></C:comp-filter></C:comp-filter>"
        "</C:filter></C:calendar-query>";
    auto before = scrape(server);
    double asked_before = value(before, "kalends_collection_cache_requests_total{result=hit}") +
                          value(before, "kalends_collection_cache_requests_total{result=miss}");
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(server.call("REPORT", "/dav/calendars/alice/calendar/", as("alice"), query,
                               "Depth: 1\r\nContent-Type: application/xml\r\n").status == 207);
    auto after = scrape(server);
    double asked_after = value(after, "kalends_collection_cache_requests_total{result=hit}") +
                         value(after, "kalends_collection_cache_requests_total{result=miss}");
    BOOST_TEST(asked_after - asked_before >= 3.0);
    BOOST_TEST(value(after, "kalends_collection_cache_requests_total{result=hit}") >= 1.0);
    BOOST_TEST(value(after, "kalends_http_requests_total{kind=calendar,method=REPORT,status=2xx}") == 3.0);
    BOOST_TEST(value(after, "kalends_collection_cache_hit_ratio{}") > 0.0);
    BOOST_TEST(value(after, "kalends_collection_cache_hit_ratio{}") ==
               value(after, "kalends_collection_cache_requests_total{result=hit}") / asked_after);
}

BOOST_AUTO_TEST_CASE(an_invitation_to_an_external_attendee_shows_in_the_mail_queue_depth) {
    test_support::TempDir dir;
    auto data = dir.path() / "data";
    ops_test::add_user(data, "alice");
    // A relay that refuses connections: the invitation waits in the queue.
    auto config = dir.path() / "kalends.conf";
    std::ofstream(config) << "[smtp]\nurl = smtp://127.0.0.1:" << ops_test::free_port()
                          << "\nfrom = calendar@example.com\ntls = none\nretry-min-seconds = 3600\n";
    Server server(data, config.string());
    auto before = scrape(server);
    BOOST_TEST(value(before, "kalends_job_queue_depth{kind=mail}") == 0.0);
    const std::string invitation =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:metrics-invite\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260302T120000Z\r\nDURATION:PT1H\r\nSUMMARY:m\r\n"
        "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
        "ATTENDEE;RSVP=TRUE:mailto:carol@elsewhere.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    BOOST_TEST(server.call("PUT", "/dav/calendars/alice/calendar/invite.ics", as("alice"), invitation,
                           "Content-Type: text/calendar\r\n").status == 201);
    auto after = scrape(server);
    BOOST_TEST(value(after, "kalends_job_queue_depth{kind=mail}") == 1.0);
    BOOST_TEST(value(after, "kalends_job_queue_oldest_age_seconds{kind=mail}") >= 0.0);
    BOOST_TEST(value(after, "kalends_job_queue_oldest_age_seconds{kind=mail}") < 120.0);
    BOOST_TEST(value(after, "kalends_storage_scrape_errors_total{}") == 0.0);
}

BOOST_AUTO_TEST_CASE(with_a_token_file_a_scrape_without_the_token_is_refused_403) {
    test_support::TempDir dir;
    auto token_file = dir.path() / "metrics.token";
    std::ofstream(token_file) << "s3cret-metrics-token\n";
    auto config = dir.path() / "kalends.conf";
    std::ofstream(config) << "[metrics]\ntoken-file = " << token_file.string() << "\n";
    Server server(dir.path() / "data", config.string());
    BOOST_TEST(server.call("GET", "/metrics", "").status == 403);
    BOOST_TEST(server.call("GET", "/metrics", "Bearer wrong-token-of-same-len").status == 403);
    BOOST_TEST(server.call("GET", "/metrics", "Basic czNjcmV0").status == 403);
    auto samples = scrape(server, "Bearer s3cret-metrics-token");
    BOOST_TEST(samples.count("kalends_auth_failures_total{}") == 1u);
}

BOOST_AUTO_TEST_CASE(without_a_token_only_loopback_clients_may_scrape) {
    using server::metrics_access_allowed;
    BOOST_TEST(metrics_access_allowed("127.0.0.1", std::nullopt, ""));
    BOOST_TEST(metrics_access_allowed("::1", std::nullopt, ""));
    BOOST_TEST(metrics_access_allowed("::ffff:127.0.0.1", std::nullopt, ""));
    BOOST_TEST(!metrics_access_allowed("192.0.2.7", std::nullopt, ""));
    BOOST_TEST(!metrics_access_allowed("2001:db8::1", std::string_view("Bearer x"), ""));
    BOOST_TEST(!metrics_access_allowed("?", std::nullopt, ""));
    BOOST_TEST(metrics_access_allowed("192.0.2.7", std::string_view("Bearer tok"), "tok"));
    BOOST_TEST(metrics_access_allowed("192.0.2.7", std::string_view("bearer tok"), "tok"));
    BOOST_TEST(!metrics_access_allowed("192.0.2.7", std::string_view("Bearer toK"), "tok"));
    BOOST_TEST(!metrics_access_allowed("127.0.0.1", std::nullopt, "tok"));
}

BOOST_AUTO_TEST_CASE(paths_are_counted_under_their_resource_kind) {
    using server::metrics::ResourceKind;
    using server::metrics::classify_path;
    BOOST_TEST((classify_path("/dav/principals/users/alice/") == ResourceKind::principal));
    BOOST_TEST((classify_path("/dav/calendars/alice/") == ResourceKind::home));
    BOOST_TEST((classify_path("/dav/calendars/alice/work/") == ResourceKind::calendar));
    BOOST_TEST((classify_path("/dav/calendars/alice/work/e.ics") == ResourceKind::object));
    BOOST_TEST((classify_path("/dav/calendars/alice/inbox/x.ics") == ResourceKind::inbox));
    BOOST_TEST((classify_path("/dav/calendars/alice/outbox/") == ResourceKind::outbox));
    BOOST_TEST((classify_path("/api/v1/events") == ResourceKind::api));
    BOOST_TEST((classify_path("/rsvp/abc") == ResourceKind::rsvp));
    BOOST_TEST((classify_path("/metrics") == ResourceKind::other));
    BOOST_TEST((classify_path("/dav/calendars/") == ResourceKind::other));
}

BOOST_AUTO_TEST_SUITE_END()

// caldav::Service without sockets: routing, OPTIONS, error rendering, URL space.
#include "caldav/service.hpp"

#define BOOST_TEST_MODULE caldav
#include <boost/test/unit_test.hpp>

#include "caldav/error.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/target.hpp"
#include "caldav/write_plan.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace {

/// Throughout this module (scheduling, RSVP, the event service), every text a
/// plan validates from a tree it holds is validated from a parse of the text
/// too, and the two must agree (WritePlan::validated).
struct CrossCheckedValidation {
    void setup() { WritePlan::cross_check_validation = true; }
    void teardown() {
        WritePlan::cross_check_validation = false;
        BOOST_TEST(WritePlan::validation_mismatches == 0, "validations from a tree that a parse of the text "
                                                          "answered otherwise (written to stderr)");
    }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CrossCheckedValidation);

namespace {

struct ServiceFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    std::unique_ptr<Service> service;
    ServiceFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        store->add_user("alice", "alice@example.com", "$y$x");
        service = std::make_unique<Service>(*store, Limits{});
    }
    Response request(const std::string& method, const std::string& path, int expected_status) {
        Request r;
        r.method = method;
        r.path = path;
        r.principal = Principal{store->find_principal("alice")->id, "alice"};
        auto res = service->handle(r);
        BOOST_REQUIRE_MESSAGE(res.status == expected_status,
                              method << " " << path << " gave " << res.status << ": " << res.body);
        return res;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(url_space)

BOOST_AUTO_TEST_CASE(paths_map_to_resource_kinds) {
    BOOST_TEST((ResourcePath::parse("/dav/").kind == ResourceKind::root));
    BOOST_TEST((ResourcePath::parse("/dav/principals/users/").kind == ResourceKind::principals));
    auto p = ResourcePath::parse("/dav/principals/users/al ice@x/");
    BOOST_TEST((p.kind == ResourceKind::principal));
    BOOST_TEST(p.owner == "al ice@x");
    BOOST_TEST((ResourcePath::parse("/dav/calendars/alice/").kind == ResourceKind::home));
    auto o = ResourcePath::parse("/dav/calendars/alice/work/e 1.ics");
    BOOST_TEST((o.kind == ResourceKind::object));
    BOOST_TEST(o.collection == "work");
    BOOST_TEST(o.object == "e 1.ics");
    BOOST_TEST((ResourcePath::parse("/.well-known/caldav").kind == ResourceKind::well_known));
    BOOST_TEST((ResourcePath::parse("/elsewhere/").kind == ResourceKind::unknown));
    // Deeper paths name nested plain collections (RFC 4918 §9.3) and their members.
    auto deep = ResourcePath::parse("/dav/calendars/a/b/c/d");
    BOOST_TEST((deep.kind == ResourceKind::object));
    BOOST_TEST(deep.collection == "b/c");
    BOOST_TEST(deep.object == "d");
    auto nested = ResourcePath::parse("/dav/calendars/a/b/c/d/");
    BOOST_TEST((nested.kind == ResourceKind::collection));
    BOOST_TEST(nested.collection == "b/c/d");
    BOOST_TEST(collection_href("a", "b c/d") == "/dav/calendars/a/b%20c/d/");
}

BOOST_AUTO_TEST_CASE(hrefs_are_percent_encoded_per_segment) {
    BOOST_TEST(object_href("alice@example.com", "my cal", "ü.ics") ==
               "/dav/calendars/alice@example.com/my%20cal/%C3%BC.ics");
    BOOST_TEST(principal_href("a/b") == "/dav/principals/users/a%2Fb/");
}

// RFC 3986 §3.1: a scheme is case-insensitive, so a Destination written
// "HTTP://host/..." names the same resource as "http://host/...".
BOOST_AUTO_TEST_CASE(absolute_targets_lose_scheme_and_host_in_any_case) {
    for (const char* url : {"http://h/dav/calendars/a/x.ics", "HTTP://h/dav/calendars/a/x.ics",
                            "Https://h:8443/dav/calendars/a/x.ics"})
        BOOST_TEST(decode_target(url).value_or("") == "/dav/calendars/a/x.ics", url);
    BOOST_TEST(decode_target("HTTP://h").value_or("") == "/");
    BOOST_TEST(!decode_target("ftp://h/dav/"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(service, ServiceFixture)

BOOST_AUTO_TEST_CASE(options_answers_dav_and_allow_on_every_resource_kind) {
    for (std::string path : {"/dav/", "/dav/principals/users/alice/", "/dav/calendars/alice/",
                             "/dav/calendars/alice/calendar/", "/dav/calendars/alice/calendar/x.ics"}) {
        auto r = request("OPTIONS", path, 200);
        BOOST_TEST(r.headers.get("DAV").has_value(), path);
        BOOST_TEST(r.headers.get("Allow").has_value(), path);
    }
}

BOOST_AUTO_TEST_CASE(unknown_method_gets_405_with_allow) {
    auto r = request("FROB", "/dav/", 405);
    BOOST_TEST(r.headers.get("Allow").has_value());
}

BOOST_AUTO_TEST_CASE(paths_outside_the_url_space_get_404) { request("OPTIONS", "/nowhere/", 404); }

BOOST_AUTO_TEST_CASE(well_known_redirects_every_method) {
    for (std::string m : {"GET", "PROPFIND", "OPTIONS", "REPORT"}) {
        auto r = request(m, "/.well-known/caldav", 301);
        BOOST_TEST(*r.headers.get("Location") == "/dav/");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(error_body_names_the_precondition_and_href) {
    auto r = render_error(Error(403, Precondition::no_uid_conflict, "UID in use", "/dav/calendars/a/c/x.ics"));
    BOOST_TEST(r.status == 403);
    BOOST_TEST(*r.headers.get("Content-Type") == "application/xml; charset=utf-8");
    BOOST_TEST(r.body.find("<C:no-uid-conflict xmlns:C=\"urn:ietf:params:xml:ns:caldav\">") != std::string::npos);
    BOOST_TEST(r.body.find("<D:href>/dav/calendars/a/c/x.ics</D:href>") != std::string::npos);
    BOOST_TEST(r.precondition == "no-uid-conflict");
}

BOOST_AUTO_TEST_CASE(dav_namespace_preconditions_use_the_dav_prefix) {
    auto r = render_error(Error(403, Precondition::propfind_finite_depth, "no infinity"));
    BOOST_TEST(r.body.find("<D:propfind-finite-depth/>") != std::string::npos, r.body);
}

BOOST_AUTO_TEST_CASE(every_precondition_has_a_name) {
    for (std::size_t i = 1; i < precondition_names.size(); ++i) {
        BOOST_TEST(!precondition_names[i].local.empty());
        BOOST_TEST((precondition_names[i].ns == "DAV:" || precondition_names[i].ns == "urn:ietf:params:xml:ns:caldav" ||
                    precondition_names[i].ns == "https://bitfire.at/webdav-push" ||
                    precondition_names[i].ns == "https://kalends.invalid/ns/"));  // issue 29 §6 limits
    }
}

BOOST_AUTO_TEST_SUITE_END()

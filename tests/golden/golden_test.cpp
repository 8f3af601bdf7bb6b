// Golden-file transcripts (STYLE.md §6) run against a real server on loopback, one
// test case per tests/golden/**/*.txt, plus unit tests of the comparator itself.
#include "tests/support/golden.hpp"

#define BOOST_TEST_MODULE golden
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/http_client.hpp"
#include "tests/support/server_fixture.hpp"

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using namespace test_support::golden;

namespace {

/// Every golden transcript under $KALENDS_GOLDEN_DIR, sorted. One empty entry when
/// the directory is unset or holds none, so the run fails instead of passing empty.
std::vector<std::string> golden_files() {
    std::vector<std::string> out;
    const char* dir = std::getenv("KALENDS_GOLDEN_DIR");
    if (dir && fs::is_directory(dir))
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (e.is_regular_file() && e.path().extension() == ".txt") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    if (out.empty()) out.emplace_back();
    return out;
}

bool update_mode() {
    if (const char* v = std::getenv("KALENDS_UPDATE_GOLDEN"); v && std::strcmp(v, "1") == 0) return true;
    auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i)
        if (std::strcmp(suite.argv[i], "--update-golden") == 0) return true;
    return false;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The owner named in a /dav/calendars/OWNER/... path, checked against the known users.
std::string owner_of(const std::string& path, const std::map<std::string, std::string>& credentials) {
    const std::string prefix = "/dav/calendars/";
    BOOST_REQUIRE_MESSAGE(path.rfind(prefix, 0) == 0, "setup path must start with " << prefix << ": " << path);
    std::string owner = path.substr(prefix.size(), path.find('/', prefix.size()) - prefix.size());
    BOOST_REQUIRE_MESSAGE(credentials.count(owner), "setup: unknown user " << owner);
    return owner;
}

/// PUTs `file` (LF or CRLF line endings; sent as CRLF) to `path` as its owner and
/// captures the returned ETag as {etag:NAME}, NAME being the last segment of `path`
/// without ".ics".
void put_object(const std::string& path, const fs::path& file, const test_support::ServerFixture& server,
                const std::map<std::string, std::string>& credentials, Captures& captures) {
    BOOST_REQUIRE_MESSAGE(fs::is_regular_file(file), "setup: no file " << file);
    std::string body;
    for (char c : read_all(file)) {
        if (c == '\r') continue;
        if (c == '\n') body += '\r';
        body += c;
    }
    test_support::HttpClient c(server.port);
    c.send(test_support::ServerFixture::request("PUT", path, body, credentials.at(owner_of(path, credentials)),
                                                "Content-Type: text/calendar; charset=utf-8\r\n"));
    auto r = c.read_reply();
    BOOST_REQUIRE_MESSAGE(r && (r->status == 201 || r->status == 204),
                          "setup PUT " << path << " failed: " << (r ? std::to_string(r->status) + " " + r->body : "no reply"));
    std::string etag = r->headers.count("etag") ? r->headers.at("etag") : "";
    BOOST_REQUIRE_MESSAGE(etag.size() > 2 && etag.front() == '"' && etag.back() == '"', "setup PUT " << path << ": no strong ETag");
    captures["etag:" + fs::path(path).stem().string()] = etag.substr(1, etag.size() - 2);
}

/// `# setup:` lines, run in order before the exchanges:
///   none
///   calendar PATH            MKCALENDAR as the owner in PATH
///   put PATH FILE            PUT FILE (relative to the golden directory) at PATH
///   objects COLLECTION DIR   PUT every DIR/*.ics (relative to the golden directory)
///                            into COLLECTION under its own file name
/// Each PUT captures its ETag as {etag:NAME} (NAME = resource name without .ics).
void run_setup(const std::string& line, const test_support::ServerFixture& server,
               const std::map<std::string, std::string>& credentials, Captures& captures) {
    if (line == "none") return;
    std::istringstream words(line);
    std::string kind, path, arg;
    words >> kind >> path >> arg;
    const fs::path root = std::getenv("KALENDS_GOLDEN_DIR") ? std::getenv("KALENDS_GOLDEN_DIR") : ".";
    if (kind == "calendar" && !path.empty() && arg.empty()) {
        std::string owner = owner_of(path, credentials);
        test_support::HttpClient c(server.port);
        c.send(test_support::ServerFixture::request("MKCALENDAR", path, {}, credentials.at(owner)));
        auto r = c.read_reply();
        BOOST_REQUIRE_MESSAGE(r && r->status == 201,
                              "setup '" << line << "' failed: " << (r ? std::to_string(r->status) + " " + r->body : "no reply"));
        return;
    }
    if (kind == "put" && !path.empty() && !arg.empty()) {
        put_object(path, root / arg, server, credentials, captures);
        return;
    }
    if (kind == "objects" && !path.empty() && path.back() == '/' && !arg.empty()) {
        BOOST_REQUIRE_MESSAGE(fs::is_directory(root / arg), "setup: no directory " << root / arg);
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(root / arg))
            if (e.is_regular_file() && e.path().extension() == ".ics") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        BOOST_REQUIRE_MESSAGE(!files.empty(), "setup: no *.ics in " << root / arg);
        for (const auto& f : files) put_object(path + f.filename().string(), f, server, credentials, captures);
        return;
    }
    BOOST_FAIL("unknown setup line '" << line << "' (known: none, calendar PATH, put PATH FILE, objects COLLECTION/ DIR)");
}

}  // namespace

BOOST_DATA_TEST_CASE(golden_transcript_matches_the_server, bdata::make(golden_files()), path) {
    BOOST_REQUIRE_MESSAGE(!path.empty(), "no golden files: KALENDS_GOLDEN_DIR is unset or has no *.txt");
    BOOST_TEST_CONTEXT("golden file " << path) {
        const std::string original = read_all(path);
        File file = parse_file(original);
        BOOST_REQUIRE_MESSAGE(!file.name.empty(), "missing '# name:' line");
        BOOST_REQUIRE_MESSAGE(!file.exchanges.empty(), "no exchanges");
        const bool update = update_mode();

        test_support::ServerFixture server;
        const std::map<std::string, std::string> credentials{
            {"alice", test_support::basic_auth("alice", "alice-pw")},
            {"bob", test_support::basic_auth("bob", "bob-pw")}};
        Captures captures;
        for (const auto& s : file.setup) run_setup(s, server, credentials, captures);
        for (std::size_t i = 0; i < file.exchanges.size(); ++i) {
            auto& x = file.exchanges[i];
            BOOST_TEST_CONTEXT("exchange " << i + 1 << ": " << x.request.substr(0, x.request.find('\n'))) {
                test_support::HttpClient client(server.port);
                client.send(build_request(x.request, captures, credentials));
                auto reply = client.read_reply(std::chrono::seconds(10), request_method(x.request) == "HEAD");
                BOOST_REQUIRE_MESSAGE(reply, "no response within 10 s");
                Actual actual{reply->status, {}, {}, reply->body};
                for (const auto& [k, v] : reply->headers) actual.headers.emplace_back(k, v);
                if (update) {
                    auto old = x.has_expectation ? std::optional<Expected>(x.expected) : std::nullopt;
                    x.expected = update_expectation(old, actual, captures);
                    x.has_expectation = true;
                    continue;
                }
                BOOST_REQUIRE_MESSAGE(x.has_expectation, "no expected response (run with KALENDS_UPDATE_GOLDEN=1)");
                auto diffs = compare_response(x.expected, actual, captures);
                std::string all;
                for (const auto& d : diffs) all += "\n" + d;
                BOOST_CHECK_MESSAGE(diffs.empty(), "response differs:" << all << "\n--- full response body\n" << actual.body);
            }
        }
        if (update) {
            auto text = format_file(file);
            if (text != original) {
                std::ofstream(path, std::ios::binary) << text;
                BOOST_TEST_MESSAGE("updated " << path);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE(comparator)

BOOST_AUTO_TEST_CASE(namespace_uris_count_and_prefixes_do_not) {
    Captures c;
    BOOST_TEST(!compare_xml(R"(<D:href xmlns:D="DAV:">/a</D:href>)", R"(<x:href xmlns:x="DAV:">/a</x:href>)", c));
    BOOST_TEST(!compare_xml(R"(<href xmlns="DAV:">/a</href>)", R"(<x:href xmlns:x="DAV:">/a</x:href>)", c));
    BOOST_TEST(compare_xml(R"(<D:href xmlns:D="DAV:">/a</D:href>)", R"(<D:href xmlns:D="urn:other">/a</D:href>)", c)
                   .has_value());
    BOOST_TEST(compare_xml(R"(<D:href xmlns:D="DAV:">/a</D:href>)", R"(<D:href xmlns:D="DAV:">/b</D:href>)", c)
                   .has_value());
}

BOOST_AUTO_TEST_CASE(whitespace_only_text_and_attribute_order_are_ignored) {
    Captures c;
    BOOST_TEST(!compare_xml("<a xmlns='urn:x' p='1' q='2'>\n  <b/>\n  <c> t </c>\n</a>",
                            "<?xml version='1.0'?><a q='2' p='1' xmlns='urn:x'><b/><c>t</c></a>", c));
    BOOST_TEST(compare_xml("<a xmlns='urn:x' p='1'/>", "<a xmlns='urn:x' p='2'/>", c).has_value());
    BOOST_TEST(compare_xml("<a xmlns='urn:x'><b/><c/></a>", "<a xmlns='urn:x'><c/><b/></a>", c).has_value(),
               "element order outside DAV:prop still matters");
}

BOOST_AUTO_TEST_CASE(multistatus_responses_compare_in_href_order) {
    Captures c;
    const std::string a =
        R"(<D:multistatus xmlns:D="DAV:"><D:response><D:href>/b</D:href></D:response>)"
        R"(<D:response><D:href>/a</D:href></D:response></D:multistatus>)";
    const std::string b =
        R"(<multistatus xmlns="DAV:"><response><href>/a</href></response>)"
        R"(<response><href>/b</href></response></multistatus>)";
    BOOST_TEST(!compare_xml(a, b, c));
    const std::string missing = R"(<multistatus xmlns="DAV:"><response><href>/a</href></response></multistatus>)";
    BOOST_TEST(compare_xml(a, missing, c).has_value());
}

BOOST_AUTO_TEST_CASE(etag_placeholder_captures_then_requires_the_same_value) {
    Captures c;
    BOOST_TEST(match_text("\"{etag:e1}\"", "\"abc\"", c));
    BOOST_TEST(c["etag:e1"] == "abc");
    BOOST_TEST(match_text("W/\"{etag:e1}\"", "W/\"abc\"", c));
    BOOST_TEST(!match_text("\"{etag:e1}\"", "\"abd\"", c));
    BOOST_TEST(compare_xml("<getetag xmlns='DAV:'>\"{etag:e1}\"</getetag>", "<getetag xmlns='DAV:'>\"x\"</getetag>", c)
                   .has_value());
    BOOST_TEST(!compare_xml("<getetag xmlns='DAV:'>\"{etag:e1}\"</getetag>", "<getetag xmlns='DAV:'>\"abc\"</getetag>", c));
    BOOST_TEST(!match_text("{etag:e2}", "", c), "a capture needs at least one character");
    Captures d;
    BOOST_TEST(!match_text("{etag:e1}-{etag:e1}", "a-b", d));
    BOOST_TEST(d.empty(), "a failed match captures nothing");
}

BOOST_AUTO_TEST_CASE(any_matches_text_and_whole_element_content) {
    Captures c;
    BOOST_TEST(match_text("{any}", "", c));
    BOOST_TEST(match_text("/dav/{any}/x.ics", "/dav/calendars/alice/x.ics", c));
    BOOST_TEST(!match_text("/dav/{any}/x.ics", "/dav/calendars/alice/y.ics", c));
    BOOST_TEST(!compare_xml("<p xmlns='DAV:'>{any}</p>", "<p xmlns='DAV:'><a/><b>t</b></p>", c));
    BOOST_TEST(compare_xml("<p xmlns='DAV:'>{any}</p>", "<q xmlns='DAV:'/>", c).has_value());
}

BOOST_AUTO_TEST_CASE(status_and_listed_headers_must_match_and_others_are_ignored) {
    Expected e;
    e.status = 200;
    e.headers = {{"Content-Type", "text/plain"}};
    e.body = "ok";
    Actual a{200, "OK", {{"content-type", "text/plain"}, {"server", "x"}}, "ok\r\n"};
    Captures c;
    BOOST_TEST(compare_response(e, a, c).empty());
    a.status = 201;
    BOOST_TEST(compare_response(e, a, c).size() == 1u);
    a.status = 200;
    a.headers = {{"server", "x"}};
    BOOST_TEST(compare_response(e, a, c).size() == 1u, "a listed header that is missing is a difference");
    a.headers = {{"content-type", "text/plain"}};
    a.body = "ok\r\nmore";
    BOOST_TEST(compare_response(e, a, c).size() == 1u, "text bodies compare exactly");
    e.body = "ok\nmore";
    BOOST_TEST(compare_response(e, a, c).empty(), "CRLF and LF are the same");
    e.body = "";
    BOOST_TEST(compare_response(e, a, c).size() == 1u, "an empty expected body requires an empty body");
}

BOOST_AUTO_TEST_CASE(files_parse_into_headers_and_exchanges_and_format_back) {
    const std::string text =
        "# name: x/y\n# spec: RFC 4918 §9.1\n# setup: none\n"
        "GET /a HTTP/1.1\nAuthorization: {alice}\n----\nHTTP/1.1 404 Not Found\nContent-Type: text/plain\n\nnope\n"
        "====\nOPTIONS /b HTTP/1.1\n----\nHTTP/1.1 200 OK\n";
    auto f = parse_file(text);
    BOOST_TEST(f.name == "x/y");
    BOOST_TEST(f.spec == "RFC 4918 §9.1");
    BOOST_TEST(f.setup.size() == 1u);
    BOOST_REQUIRE(f.exchanges.size() == 2u);
    BOOST_TEST(f.exchanges[0].expected.status == 404);
    BOOST_TEST(f.exchanges[0].expected.headers.size() == 1u);
    BOOST_TEST(f.exchanges[0].expected.body == "nope");
    BOOST_TEST(f.exchanges[1].expected.status == 200);
    BOOST_TEST(format_file(f) == text);
    BOOST_CHECK_THROW(parse_file("# name: z\nGET / HTTP/1.1\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_file("# name: z\nGET / HTTP/1.1\n----\nnot a status\n"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(requests_expand_credentials_and_captured_values) {
    Captures c{{"etag:e1", "abc"}};
    auto r = build_request("PUT /x.ics\nAuthorization: {alice}\nIf-Match: \"{etag:e1}\"\n\nBODY\n", c,
                           {{"alice", "Basic QQ=="}});
    BOOST_TEST(r == "PUT /x.ics HTTP/1.1\r\nAuthorization: Basic QQ==\r\nIf-Match: \"abc\"\r\n"
                    "Host: localhost\r\nContent-Length: 6\r\n\r\nBODY\r\n");
    BOOST_CHECK_THROW(build_request("GET /{etag:e9}\n", c, {}), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(update_keeps_matching_placeholders_and_takes_the_rest_from_the_response) {
    Expected old;
    old.status = 200;
    old.headers = {{"ETag", "\"{etag:e1}\""}, {"Content-Type", "text/plain"}};
    old.body = "old";
    Actual a{201, "", {{"etag", "\"v\""}, {"content-type", "text/calendar"}}, "<a xmlns='urn:x'><b/></a>"};
    Captures c;
    auto e = update_expectation(old, a, c);
    BOOST_TEST(e.status_line == "HTTP/1.1 201 Created");
    BOOST_REQUIRE(e.headers.size() == 2u);
    BOOST_TEST(e.headers[0].second == "\"{etag:e1}\"");
    BOOST_TEST(e.headers[1].second == "text/calendar");
    BOOST_TEST(e.body == "<a xmlns=\"urn:x\">\n  <b />\n</a>");
}

BOOST_AUTO_TEST_SUITE_END()

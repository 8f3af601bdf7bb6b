// Load driver for CalDAV servers: runs timed phases over keep-alive connections
// from several threads and prints ops/s, p50/p99 latency and errors (issue 7).
// Every answer is checked against what the workload implies; a wrong answer
// counts as an error. A benchmark measures; it asserts nothing (tests do that).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "bench/http/api_workload.hpp"
#include "bench/http/bench_client.hpp"
#include "bench/http/dav_answers.hpp"
#include "bench/http/workload.hpp"

namespace {

using Clock = std::chrono::steady_clock;

/// Milliseconds this thread spent in call() (request written to answer read)
/// since the phase loop last reset it: an operation's latency, without the
/// time the driver then spends checking the answer.
thread_local double call_ms = 0;

using bench::Client;

struct Options {
    std::uint16_t port = 0;
    std::string user = "alice";
    std::string password;
    std::string collection;  ///< path of the calendar, ending in '/'
    /// The user's scheduling outbox (RFC 6638); empty: no outbox phase.
    std::string outbox;
    /// The user's calendar user address, ORGANIZER and ATTENDEE of the lookup.
    std::string address;
    std::size_t events = 10000;
    /// The PUT phases store events [0, put_events); the rest, up to `events`,
    /// are stored before the run (phase "seed", or files written by
    /// --write-ics and loaded into a peer's storage), so that a peer whose
    /// PUT takes minutes per thousand can still be measured at 10,000.
    std::size_t put_events = static_cast<std::size_t>(-1);
    std::string write_ics;  ///< when set: write events [put_events, events) here and exit
    std::uint64_t seed = 42;
    std::string phases =
        "put1,put16,propfind,multiget,query,query-etag,expand,freebusy,outbox,sync,mixed,mixed-etag";
    double time_cap_seconds = 0;   ///< 0 = none; a non-PUT phase stops issuing work after it
    double put_cap_seconds = 0;    ///< the same for the PUT phases
    double mixed_seconds = 20;     ///< length of the mixed phase
    double timeout_seconds = 300;  ///< per request
    bool csv = false;
    /// JSON API phases (issue 24): users bench1..benchN besides `user`, all
    /// with `password` and the address NAME@api_domain, each holding
    /// api_user_events generated events of their own before those phases run.
    std::size_t api_users = 9;
    std::size_t api_user_events = 300;
    std::string api_domain = "kalends-bench.example";
    std::size_t api_page_size = 250;  ///< the server's api.list-page-size (a listing page's most)
};

/// The JSON API phases, in the order they run (after the CalDAV phases).
constexpr const char* api_phases =
    "api-list,api-list-page,api-availability,api-create,api-create-alone,api-rsvp,api-suggest";

/// How one operation went.
enum class Outcome { ok, error, unsupported };

struct Result {
    std::string phase;
    std::size_t ops = 0;
    std::size_t errors = 0;
    double seconds = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    bool capped = false;
    bool unsupported = false;
    std::string first_error;
};

/// Shared by a phase's threads: the first error's description, for the report.
struct ErrorNote {
    std::mutex m;
    std::string text;
    void set(const std::string& s) {
        std::lock_guard lock(m);
        if (text.empty()) text = s;
    }
};

std::string basic_auth(const std::string& user, const std::string& password) {
    std::string in = user + ":" + password;
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

std::string request(const Options& o, const std::string& method, const std::string& path,
                    const std::string& body, const std::string& extra = {}) {
    std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                    basic_auth(o.user, o.password) + "\r\n" + extra;
    if (!body.empty() && extra.find("Content-Type") == std::string::npos)
        r += "Content-Type: application/xml; charset=utf-8\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}

/// Runs `total` operations on `concurrency` connections, or until `duration`
/// seconds pass when it is > 0. An op answering `unsupported` ends the phase.
Result run_phase(const Options& o, const std::string& name, int concurrency, std::size_t total,
                 double duration,
                 const std::function<Outcome(Client&, std::size_t, ErrorNote&)>& op) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> errors{0};
    std::atomic<bool> capped{false}, unsupported{false};
    std::mutex m;
    ErrorNote note;
    std::vector<double> latencies;
    auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t) {
        threads.emplace_back([&] {
            std::vector<double> mine;
            Client client(o.port);
            for (std::size_t i; !unsupported && (i = next++) < total;) {
                if (duration > 0 && elapsed() > duration) break;
                double cap = name == "PUT" ? o.put_cap_seconds : o.time_cap_seconds;
                if (cap > 0 && duration <= 0 && elapsed() > cap) {
                    capped = true;
                    break;
                }
                call_ms = 0;
                Outcome r = Outcome::error;
                try {
                    r = op(client, i, note);
                } catch (const std::exception& e) {
                    note.set(e.what());
                }
                if (r == Outcome::unsupported) {
                    unsupported = true;
                    break;
                }
                mine.push_back(call_ms);
                if (r == Outcome::error) ++errors;
            }
            std::lock_guard lock(m);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : threads) t.join();
    Result r;
    r.phase = name + " c=" + std::to_string(concurrency);
    r.seconds = elapsed();
    r.ops = latencies.size();
    r.errors = errors;
    r.capped = capped;
    r.unsupported = unsupported;
    r.first_error = note.text;
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.empty()) {
        r.p50_ms = latencies[latencies.size() / 2];
        r.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    }
    return r;
}

/// Sends `req`; fills `body`, returns the status or 0 on a transport failure.
int call(Client& c, const Options& o, const std::string& req, std::string* body = nullptr) {
    auto t0 = Clock::now();
    auto r =
        c.exchange(req, std::chrono::milliseconds(static_cast<long>(o.timeout_seconds * 1000)));
    call_ms += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r) return 0;
    if (body) *body = std::move(r->body);
    return r->status;
}

Outcome status_outcome(int status, int want, ErrorNote& note, const std::string& what) {
    if (status == want) return Outcome::ok;
    if (status == 501 || status == 403 || status == 400 || status == 405) {
        note.set(what + ": HTTP " + std::to_string(status));
        return Outcome::unsupported;
    }
    note.set(what + ": HTTP " + std::to_string(status));
    return Outcome::error;
}

std::string utc(std::int64_t t) { return bench::detail::ical_time(t / 86400, t % 86400) + "Z"; }

/// A one-week calendar-query; `with_data` false asks for ETags only, as DAVx5
/// and Apple Calendar do before fetching what changed with a multiget.
std::string query_body(const bench::Window& w, bool expand, bool with_data = true) {
    std::string range = "start=\"" + utc(w.start) + "\" end=\"" + utc(w.end) + "\"";
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<C:calendar-query xmlns:D=\"DAV:\" "
           "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/>" +
           std::string(!with_data ? ""
                       : expand   ? "<C:calendar-data><C:expand " + range + "/></C:calendar-data>"
                                  : "<C:calendar-data/>") +
           "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter "
           "name=\"VEVENT\"><C:time-range " +
           range + "/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
}

/// Everything the phases share: options, which events are stored, and the
/// expected answers for the query windows.
struct Bench {
    Options o;
    std::vector<char> stored;        ///< stored[i]: event i was PUT successfully
    std::vector<std::size_t> names;  ///< indices of stored events
    std::vector<bench::Window> weeks = bench::week_windows(16);
    std::vector<bench::Window> months = bench::month_windows(4);
    std::vector<bench::Expected> week_expect, month_expect;
    std::vector<std::vector<std::string_view>> week_sorted;  ///< week_expect's names in order
    std::atomic<int> revision{1};

    Outcome put(Client& c, std::size_t i, int rev, ErrorNote& note) {
        auto e = bench::make_event(o.seed, i, rev);
        int s = call(c, o,
                     request(o, "PUT", o.collection + e.name, e.ics,
                             "Content-Type: text/calendar; charset=utf-8\r\n"));
        if (s >= 200 && s < 300) return Outcome::ok;
        note.set("PUT " + e.name + ": HTTP " + std::to_string(s));
        return Outcome::error;
    }

    Outcome query(Client& c, std::size_t window, bool expand, ErrorNote& note,
                  bool with_data = true) {
        std::string out;
        int s = call(c, o,
                     request(o, "REPORT", o.collection,
                             query_body(weeks[window], expand, with_data), "Depth: 1\r\n"),
                     &out);
        if (auto r = status_outcome(s, 207, note, expand ? "expand query" : "query");
            r != Outcome::ok)
            return r;
        const auto& want = week_expect[window];
        if (bench::object_name_views(out) != week_sorted[window]) {
            auto got = bench::object_names(out);
            std::string diff;
            for (const auto& x : want.names)
                if (!got.count(x)) diff += " -" + x;
            for (const auto& x : got)
                if (!want.names.count(x)) diff += " +" + x;
            note.set("query week " + std::to_string(window) + ": " + std::to_string(got.size()) +
                     " hits, expected " + std::to_string(want.names.size()) +
                     " (missing -, extra +:" + diff.substr(0, 200) + ")");
            return Outcome::error;
        }
        if (expand && bench::occurrences(out, "BEGIN:VEVENT") != want.instances) {
            note.set("expand week " + std::to_string(window) + ": " +
                     std::to_string(bench::occurrences(out, "BEGIN:VEVENT")) +
                     " instances, expected " + std::to_string(want.instances));
            return Outcome::error;
        }
        return Outcome::ok;
    }

    Outcome multiget(Client& c, std::size_t op, ErrorNote& note) {
        std::string body =
            "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
            "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
        std::vector<std::string> want;  // distinct names, sorted below
        for (std::size_t k = 0; want.size() < std::min<std::size_t>(50, names.size()); ++k) {
            auto i = names[(op * 7919 + k * 104729) % names.size()];
            auto name = "ev" + std::to_string(i) + ".ics";
            if (std::find(want.begin(), want.end(), name) != want.end()) continue;
            body += "<D:href>" + o.collection + name + "</D:href>";
            want.push_back(std::move(name));
        }
        body += "</C:calendar-multiget>";
        std::sort(want.begin(), want.end());
        std::string out;
        int s = call(c, o, request(o, "REPORT", o.collection, body, "Depth: 1\r\n"), &out);
        if (auto r = status_outcome(s, 207, note, "multiget"); r != Outcome::ok) return r;
        auto got = bench::object_name_views(out);
        if (!std::equal(got.begin(), got.end(), want.begin(), want.end()) ||
            bench::occurrences(out, "BEGIN:VCALENDAR") != want.size()) {
            note.set("multiget: " + std::to_string(got.size()) + " hrefs, " +
                     std::to_string(bench::occurrences(out, "BEGIN:VCALENDAR")) +
                     " objects, expected " + std::to_string(want.size()));
            return Outcome::error;
        }
        return Outcome::ok;
    }

    Outcome freebusy(Client& c, std::size_t window, ErrorNote& note) {
        const auto& w = months[window];
        std::string body =
            "<C:free-busy-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><C:time-range start=\"" +
            utc(w.start) + "\" end=\"" + utc(w.end) + "\"/></C:free-busy-query>";
        std::string out;
        int s = call(c, o, request(o, "REPORT", o.collection, body, "Depth: 1\r\n"), &out);
        if (s == 207) {
            note.set("free-busy-query: answered 207 multistatus, not a VFREEBUSY");
            return Outcome::unsupported;
        }
        if (auto r = status_outcome(s, 200, note, "free-busy-query"); r != Outcome::ok) return r;
        auto busy = bench::busy_periods(out);
        // A multistatus here means the server treated the REPORT as some other one.
        if (s == 200 && out.find("BEGIN:VFREEBUSY") == std::string::npos) {
            note.set("free-busy-query: no VFREEBUSY in the answer");
            return Outcome::unsupported;
        }
        if (!busy || *busy != month_expect[window].busy) {
            note.set("free-busy month " + std::to_string(window) + ": " +
                     (busy ? std::to_string(busy->size()) : "unparsable") +
                     " busy periods, expected " + std::to_string(month_expect[window].busy.size()));
            return Outcome::error;
        }
        return Outcome::ok;
    }

    /// A scheduling free/busy lookup of the user's own month (RFC 6638 §5)
    /// through the outbox: the same busy periods as the free-busy-query, the
    /// other calendars of the home being empty.
    Outcome lookup(Client& c, std::size_t window, ErrorNote& note) {
        const auto& w = months[window];
        std::string body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//bench//EN\r\nMETHOD:REQUEST\r\n"
                           "BEGIN:VFREEBUSY\r\nUID:bench-lookup-" + std::to_string(window) +
                           "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + utc(w.start) + "\r\nDTEND:" + utc(w.end) +
                           "\r\nORGANIZER:" + o.address + "\r\nATTENDEE:" + o.address +
                           "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        std::string out;
        int s = call(c, o, request(o, "POST", o.outbox, body, "Content-Type: text/calendar; charset=utf-8\r\n"), &out);
        if (auto r = status_outcome(s, 200, note, "outbox POST"); r != Outcome::ok) return r;
        for (std::size_t at; (at = out.find("&#13;")) != std::string::npos;) out.replace(at, 5, "\r");
        if (out.find("2.0;Success") == std::string::npos) {
            note.set("outbox POST: no successful answer for " + o.address);
            return Outcome::error;
        }
        auto busy = bench::busy_periods(out);
        if (!busy || *busy != month_expect[window].busy) {
            note.set("free/busy lookup month " + std::to_string(window) + ": " +
                     (busy ? std::to_string(busy->size()) : "unparsable") + " busy periods, expected " +
                     std::to_string(month_expect[window].busy.size()));
            return Outcome::error;
        }
        return Outcome::ok;
    }

    /// A sync-collection REPORT from `token` ("" = initial), following truncated
    /// answers (507 on the collection, RFC 6578 §3.6) page by page; the members
    /// of all pages must equal `want`. Returns the last page's token in `new_token`.
    Outcome sync(Client& c, const std::string& token, const std::multiset<std::string>& want,
                 std::string* new_token, ErrorNote& note) {
        std::multiset<std::string> got;
        std::string from = token;
        for (int page = 0; page < 10000; ++page) {
            std::string body = "<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>" + from +
                               "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></"
                               "D:prop></D:sync-collection>";
            std::string out;
            int s = call(c, o, request(o, "REPORT", o.collection, body, "Depth: 1\r\n"), &out);
            if (auto r = status_outcome(s, 207, note, "sync-collection"); r != Outcome::ok)
                return r;
            auto names = bench::object_names(out);
            got.insert(names.begin(), names.end());
            auto tokens = bench::element_texts(out, "sync-token");
            from = tokens.empty() ? std::string() : tokens.back();
            if (out.find(" 507 ") == std::string::npos || from.empty()) break;
        }
        if (got != want) {
            note.set("sync-collection: " + std::to_string(got.size()) + " members, expected " +
                     std::to_string(want.size()));
            return Outcome::error;
        }
        if (new_token) *new_token = from;
        return Outcome::ok;
    }
};

/// Creates the collection when a Depth 0 PROPFIND says it is missing (Radicale).
bool ensure_collection(const Options& o) {
    Client c(o.port);
    int s = call(c, o, request(o, "PROPFIND", o.collection, "", "Depth: 0\r\n"));
    if (s == 207) return true;
    if (s != 404) {
        std::cerr << "PROPFIND " << o.collection << ": HTTP " << s << "\n";
        return false;
    }
    std::string body =
        "<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
        "<D:displayname>bench</D:displayname></D:prop></D:set></C:mkcalendar>";
    s = call(c, o, request(o, "MKCALENDAR", o.collection, body));
    if (s != 201) std::cerr << "MKCALENDAR " << o.collection << ": HTTP " << s << "\n";
    return s == 201;
}

/// The JSON API phases (issue 24): what they send, as whom, and what a
/// correct server answers. The caller is the user of the CalDAV phases (whose
/// calendar holds the generated events); the availability and suggestion
/// phases ask about it and the users bench1..benchN.
struct ApiBench {
    Bench& b;
    const Options& o;
    std::vector<std::string> names;   ///< account names: the caller first
    std::vector<std::string> emails;  ///< their addresses, in the same order
    std::vector<bench::api::LocalWindow> weeks = bench::api::local_weeks(16, 7);
    std::vector<bench::api::LocalWindow> work_weeks = bench::api::local_weeks(16, 5);
    std::vector<bench::api::LocalWindow> fortnights = bench::api::local_weeks(16, 14);
    std::vector<std::size_t> week_instances;  ///< the caller's instances per week
    /// busy[u][w]: user u's merged busy periods in work week w, clipped.
    std::vector<std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>>> busy;
    std::vector<std::string> invitations;  ///< event ids for the RSVP phase
    std::atomic<std::size_t> with_conflicts{0};

    ApiBench(Bench& bench, const Options& options) : b(bench), o(options) {
        names.push_back(o.user);
        for (std::size_t k = 1; k <= o.api_users; ++k) names.push_back("bench" + std::to_string(k));
        for (const auto& n : names) emails.push_back(n + "@" + o.api_domain);
    }

    /// The generated events of bench user k (1-based): their own seed.
    std::uint64_t user_seed(std::size_t k) const { return o.seed * 1000 + k; }

    /// The calendar of account `name`: the caller's collection path with the name swapped in.
    std::string collection_of(const std::string& name) const {
        auto at = o.collection.find("/" + o.user + "/");
        if (at == std::string::npos) return o.collection;
        return o.collection.substr(0, at + 1) + name + o.collection.substr(at + 1 + o.user.size());
    }

    /// Expected answers: the caller's stored events (b.names) and each bench user's events.
    void expect() {
        auto week_utc = bench::api::utc_windows(weeks), work_utc = bench::api::utc_windows(work_weeks);
        week_instances.assign(weeks.size(), 0);
        busy.assign(names.size(), std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>>(work_weeks.size()));
        for (std::size_t i : b.names) {
            auto w = bench::expectations(o.seed, i, 1, week_utc);
            for (std::size_t k = 0; k < weeks.size(); ++k) week_instances[k] += w[k].instances;
            auto ww = bench::expectations(o.seed, i, 1, work_utc);
            for (std::size_t k = 0; k < work_weeks.size(); ++k)
                busy[0][k].insert(busy[0][k].end(), ww[k].busy.begin(), ww[k].busy.end());
        }
        for (auto& p : busy[0]) bench::merge_periods(p);
        for (std::size_t u = 1; u < names.size(); ++u) {
            auto ww = bench::expectations(user_seed(u), 0, o.api_user_events, work_utc);
            for (std::size_t k = 0; k < work_weeks.size(); ++k) busy[u][k] = ww[k].busy;
        }
    }

    std::string request_as(const std::string& who, const std::string& method, const std::string& path,
                           const std::string& body = {}) const {
        Options as = o;
        as.user = who;
        return request(as, method, path, body, body.empty() ? "" : "Content-Type: application/json\r\n");
    }

    /// Checks the status; a wrong one is noted with the exact request line, status and body.
    Outcome expect_status(int s, int want, const std::string& what, const std::string& body,
                          const std::string& answer, ErrorNote& note) const {
        if (s == want) return Outcome::ok;
        note.set(what + (body.empty() ? "" : " " + body.substr(0, 300)) + " -> HTTP " + std::to_string(s) + " " +
                 answer.substr(0, 400));
        return s == 501 || s == 405 ? Outcome::unsupported : Outcome::error;
    }

    /// Stores each bench user's events by CalDAV PUT, as that user (not measured).
    bool seed_users() {
        bool ok = true;
        for (std::size_t u = 1; u < names.size(); ++u) {
            Options as = o;
            as.user = names[u];
            as.collection = collection_of(names[u]);
            if (!ensure_collection(as)) return false;
            auto r = run_phase(as, "PUT", 16, o.api_user_events, 0, [&](Client& c, std::size_t i, ErrorNote& note) {
                auto e = bench::make_event(user_seed(u), i);
                int s = call(c, as,
                             request(as, "PUT", as.collection + e.name, e.ics,
                                     "Content-Type: text/calendar; charset=utf-8\r\n"));
                if (s >= 200 && s < 300) return Outcome::ok;
                note.set("PUT " + as.collection + e.name + ": HTTP " + std::to_string(s));
                return Outcome::error;
            });
            if (r.errors || r.ops != o.api_user_events) {
                std::cerr << "api setup: " << names[u] << ": " << r.errors << " of " << r.ops
                          << " PUTs failed: " << r.first_error << "\n";
                ok = false;
            }
        }
        return ok;
    }

    /// GET /api/v1/events for week `w`, following next_cursor unless
    /// `first_page_only`; `total` must equal the expected instances, and the
    /// pages' events must add up to it (the first page alone: to
    /// min(total, page_size)).
    Outcome list(Client& c, std::size_t w, ErrorNote& note, bool first_page_only = false) {
        const auto& win = weeks[w];
        std::string base = "/api/v1/events?start=" + bench::api::percent_encoded(win.start_text()) +
                           "&end=" + bench::api::percent_encoded(win.end_text()) +
                           "&time_zone=" + bench::api::percent_encoded(bench::api::zone);
        std::string cursor;
        std::size_t seen = 0;
        long long total = -1;
        for (int page = 0; page < 1000; ++page) {
            std::string path = base + (cursor.empty() ? "" : "&cursor=" + bench::api::percent_encoded(cursor));
            std::string out;
            int s = call(c, o, request_as(o.user, "GET", path), &out);
            if (auto r = expect_status(s, 200, "GET " + path, "", out, note); r != Outcome::ok) return r;
            seen += bench::api::count(out, "\"event_id\"");
            if (page == 0) total = bench::api::number_value(out, "total").value_or(-1);
            auto next = bench::api::string_value(out, "next_cursor");
            if (first_page_only || !next || next->empty()) break;
            cursor = *next;
        }
        std::size_t want = first_page_only ? std::min(week_instances[w], o.api_page_size) : week_instances[w];
        if (total != static_cast<long long>(week_instances[w]) || seen != want) {
            note.set("GET " + base + ": total " + std::to_string(total) + ", " + std::to_string(seen) +
                     " events on the pages, expected " + std::to_string(want) + " of " +
                     std::to_string(week_instances[w]) + " instances");
            return Outcome::error;
        }
        return Outcome::ok;
    }

    /// POST /api/v1/availability/check for everyone over work week `w`:
    /// each user's busy_slots must be their expected merged busy time.
    Outcome availability(Client& c, std::size_t w, ErrorNote& note) {
        std::string body = bench::api::availability_body(emails, work_weeks[w]), out;
        int s = call(c, o, request_as(o.user, "POST", "/api/v1/availability/check", body), &out);
        if (auto r = expect_status(s, 200, "POST /api/v1/availability/check", body, out, note); r != Outcome::ok)
            return r;
        for (std::size_t u = 0; u < emails.size(); ++u) {
            auto at = out.find(bench::api::quoted(emails[u]) + ":");
            auto got = at == std::string::npos ? std::nullopt : bench::api::periods(out, "busy_slots", at);
            if (!got || *got != busy[u][w]) {
                note.set("availability work week " + std::to_string(w) + ", " + emails[u] + ": " +
                         (got ? std::to_string(got->size()) : std::string("no readable")) +
                         " busy slots, expected " + std::to_string(busy[u][w].size()) + " (request " + body +
                         ")");
                return Outcome::error;
            }
        }
        return Outcome::ok;
    }

    /// POST /api/v1/events by the caller: meeting `i` (of the series starting
    /// at `first`) with two bench users, or none when `alone`; 201 with an
    /// event_id. Keeps the id when `id` is given.
    Outcome create(Client& c, std::size_t i, std::int64_t first, ErrorNote& note, std::string* id = nullptr,
                   bool alone = false) {
        static const std::string none;
        const auto& a = alone ? none : emails[1 + i % (emails.size() - 1)];
        const auto& z = alone ? none : emails[1 + (i + 1) % (emails.size() - 1)];
        std::string body = bench::api::create_body(i, first, a, z), out;
        int s = call(c, o, request_as(o.user, "POST", "/api/v1/events", body), &out);
        if (auto r = expect_status(s, 201, "POST /api/v1/events", body, out, note); r != Outcome::ok) return r;
        auto event_id = bench::api::string_value(out, "event_id");
        if (!event_id || event_id->empty()) {
            note.set("POST /api/v1/events " + body + " -> 201 without event_id: " + out.substr(0, 400));
            return Outcome::error;
        }
        auto conflicts = bench::api::value_at(out, "conflicts");
        if (conflicts != std::string::npos && conflicts + 1 < out.size() && out[conflicts + 1] != ']')
            ++with_conflicts;
        if (id) *id = *event_id;
        return Outcome::ok;
    }

    /// POST /api/v1/events/{id}/rsvp by the first attendee of invitation `i`.
    Outcome rsvp(Client& c, std::size_t i, ErrorNote& note) {
        static const char* answers[] = {"accepted", "tentative", "declined"};
        const auto& who = names[1 + i % (names.size() - 1)];
        std::string path = "/api/v1/events/" + bench::api::percent_encoded(invitations[i]) + "/rsvp";
        std::string want = answers[i % 3];
        std::string body = "{\"response\":\"" + want + "\",\"comment\":\"from the load driver\"}", out;
        int s = call(c, o, request_as(who, "POST", path, body), &out);
        if (auto r = expect_status(s, 200, "POST " + path + " as " + who, body, out, note); r != Outcome::ok)
            return r;
        if (bench::api::string_value(out, "status") != want) {
            note.set("POST " + path + " as " + who + " " + body + " -> 200 with " + out.substr(0, 400));
            return Outcome::error;
        }
        return Outcome::ok;
    }

    /// POST /api/v1/availability/suggest: 60 minutes for everyone over two
    /// weeks; 200 with one to five suggestions.
    Outcome suggest(Client& c, std::size_t w, ErrorNote& note) {
        std::string body = bench::api::suggest_body(emails, fortnights[w], 60), out;
        int s = call(c, o, request_as(o.user, "POST", "/api/v1/availability/suggest", body), &out);
        if (auto r = expect_status(s, 200, "POST /api/v1/availability/suggest", body, out, note); r != Outcome::ok)
            return r;
        auto at = bench::api::value_at(out, "suggestions");
        std::size_t n = at == std::string::npos ? 0 : bench::api::count(out.substr(at), "\"start\"");
        if (n < 1 || n > 5) {
            note.set("POST /api/v1/availability/suggest " + body + " -> 200 with " + std::to_string(n) +
                     " suggestions: " + out.substr(0, 400));
            return Outcome::error;
        }
        return Outcome::ok;
    }
};


/// The JSON API phases that `want` names, appended to `results`. The bench
/// users' events are stored first (not measured) when a phase asks about
/// their time; the RSVP phase's invitations are created before it.
void run_api_phases(Bench& b, const std::function<bool(const std::string&)>& want, std::vector<Result>& results) {
    const Options& o = b.o;
    bool any = false;
    for (const char* p :
         {"api-list", "api-list-page", "api-availability", "api-create", "api-create-alone", "api-rsvp", "api-suggest"})
        any |= want(p);
    if (!any) return;
    ApiBench api(b, o);
    bool needs_users = want("api-availability") || want("api-suggest");
    if (needs_users && !api.seed_users()) std::cerr << "api setup: the bench users' events are incomplete\n";
    api.expect();
    const auto n_weeks = api.weeks.size();
    auto [few, many] = std::minmax_element(api.week_instances.begin(), api.week_instances.end());
    std::size_t slots = 0;
    for (const auto& user : api.busy)
        for (const auto& week : user) slots += week.size();
    std::fprintf(stderr, "api: %zu-%zu instances per listed week; %.1f busy periods per user and work week\n", *few,
                 *many, static_cast<double>(slots) / static_cast<double>(api.busy.size() * n_weeks));
    if (want("api-list"))
        results.push_back(run_phase(o, "api week list", 1, 480, 0, [&](Client& c, std::size_t i, ErrorNote& note) {
            return api.list(c, i % n_weeks, note);
        }));
    if (want("api-list-page"))
        results.push_back(run_phase(o, "api week list page 1", 1, 1000, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return api.list(c, i % n_weeks, note, true);
                                    }));
    if (want("api-availability"))
        for (int conc : {1, 16})
            results.push_back(run_phase(o, "api availability 10 users", conc, conc == 1 ? 1000 : 1600, 0,
                                        [&](Client& c, std::size_t i, ErrorNote& note) {
                                            return api.availability(c, i % n_weeks, note);
                                        }));
    // Meetings in March-April 2026, among the generated events, so conflicts are found.
    const std::int64_t create_first = bench::detail::days_from_civil(2026, 3, 2) * 86400 + 14 * 3600;
    if (want("api-create")) {
        results.push_back(run_phase(o, "api create 2 attendees", 1, 300, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return api.create(c, i, create_first, note);
                                    }));
        std::fprintf(stderr, "api create 2 attendees: %zu answers reported conflicts\n", api.with_conflicts.load());
    }
    if (want("api-create-alone")) {
        // The caller's own events, half an hour into each meeting's slot: the
        // conflict check reads only the caller's calendars, and nobody is invited.
        api.with_conflicts = 0;
        results.push_back(run_phase(o, "api create alone", 1, 300, 0, [&](Client& c, std::size_t i, ErrorNote& note) {
            return api.create(c, i, create_first + 30 * 60, note, nullptr, true);
        }));
        std::fprintf(stderr, "api create alone: %zu answers reported conflicts\n", api.with_conflicts.load());
    }
    if (want("api-rsvp")) {
        // 200 invitations from September 2026 on, created outside the measured phase.
        const std::int64_t first = bench::detail::days_from_civil(2026, 9, 7) * 86400 + 13 * 3600;
        Client c(o.port);
        ErrorNote note;
        api.invitations.resize(200);
        std::size_t made = 0;
        for (std::size_t i = 0; i < api.invitations.size(); ++i)
            made += api.create(c, i, first, note, &api.invitations[i]) == Outcome::ok;
        if (made < api.invitations.size())
            std::cerr << "api setup: " << made << " of 200 invitations created: " << note.text << "\n";
        api.invitations.resize(made);
        // Each attendee logs in once before the phase: a user's first login
        // hashes the password (yescrypt, about 60 ms of server CPU), which
        // is no part of answering an invitation.
        for (std::size_t u = 1; u < api.names.size(); ++u)
            if (int s = call(c, o, api.request_as(api.names[u], "GET", "/api/v1/calendars")); s != 200)
                std::cerr << "api setup: " << api.names[u] << " could not log in: HTTP " << s << "\n";
        if (made)
            results.push_back(run_phase(o, "api rsvp", 1, made, 0, [&](Client& cl, std::size_t i, ErrorNote& n) {
                return api.rsvp(cl, i, n);
            }));
    }
    if (want("api-suggest"))
        results.push_back(run_phase(o, "api suggest 10 users 2 weeks", 1, 500, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return api.suggest(c, i % n_weeks, note);
                                    }));
}

void print(const Options& o, const std::vector<Result>& results, std::size_t stored) {
    auto note = [](const Result& r) -> std::string {
        if (r.unsupported) return "unsupported";
        return r.capped ? "time cap" : "";
    };
    if (o.csv) {
        std::printf("# events %zu stored %zu\n", o.events, stored);
        for (const auto& r : results)
            std::printf("%s,%zu,%.4f,%.3f,%.3f,%zu,%s\n", r.phase.c_str(), r.ops,
                        r.seconds > 0 ? r.ops / r.seconds : 0.0, r.p50_ms, r.p99_ms, r.errors,
                        note(r).c_str());
    } else {
        std::printf("%zu events generated, %zu stored\n", o.events, stored);
        std::printf("%-32s %8s %10s %10s %10s %7s\n", "phase", "ops", "ops/s", "p50 ms", "p99 ms",
                    "errors");
        for (const auto& r : results) {
            if (r.unsupported) {
                std::printf("%-32s %8s  unsupported\n", r.phase.c_str(), "-");
                continue;
            }
            std::printf("%-32s %8zu %10.1f %10.2f %10.2f %7zu%s\n", r.phase.c_str(), r.ops,
                        r.seconds > 0 ? r.ops / r.seconds : 0.0, r.p50_ms, r.p99_ms, r.errors,
                        r.capped ? "  (time cap)" : "");
        }
    }
    for (const auto& r : results)
        if (!r.first_error.empty())
            std::fprintf(stderr, "%s: first problem: %s\n", r.phase.c_str(), r.first_error.c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Bench b;
    Options& o = b.o;
    bool api = false;  // --api 1: the JSON API phases after those of --phases
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--port")
            o.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--user")
            o.user = v;
        else if (k == "--password")
            o.password = v;
        else if (k == "--collection")
            o.collection = v;
        else if (k == "--outbox")
            o.outbox = v;
        else if (k == "--address")
            o.address = v;
        else if (k == "--events")
            o.events = std::stoul(v);
        else if (k == "--put-events")
            o.put_events = std::stoul(v);
        else if (k == "--write-ics")
            o.write_ics = v;
        else if (k == "--seed")
            o.seed = std::stoull(v);
        else if (k == "--phases")
            o.phases = v;
        else if (k == "--time-cap")
            o.time_cap_seconds = std::stod(v);
        else if (k == "--put-cap")
            o.put_cap_seconds = std::stod(v);
        else if (k == "--mixed-seconds")
            o.mixed_seconds = std::stod(v);
        else if (k == "--timeout")
            o.timeout_seconds = std::stod(v);
        else if (k == "--csv")
            o.csv = v == "1";
        else if (k == "--api")
            api = v == "1";
        else if (k == "--api-users")
            o.api_users = std::stoul(v);
        else if (k == "--api-user-events")
            o.api_user_events = std::stoul(v);
        else if (k == "--api-domain")
            o.api_domain = v;
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    o.put_events = std::min(o.put_events, o.events);
    if (api) o.phases += std::string(",") + api_phases;
    if (!o.write_ics.empty()) {
        // One file per event, named as the PUT phases name its resource.
        for (std::size_t i = o.put_events; i < o.events; ++i) {
            auto e = bench::make_event(o.seed, i);
            std::ofstream f(o.write_ics + "/" + e.name, std::ios::binary);
            f << e.ics;
            if (!f) {
                std::cerr << "cannot write " << o.write_ics << "/" << e.name << "\n";
                return 1;
            }
        }
        return 0;
    }
    if (!o.port || o.collection.empty()) {
        std::cerr << "usage: kalends-bench --port P --password PW --collection /path/ [--events N] "
                     "[--seed S] [--put-events P]\n"
                     "  [--phases "
                     "seed,put1,put16,propfind,multiget,query,query-etag,expand,freebusy,outbox,sync,"
                     "mixed,mixed-etag]\n"
                     "  kalends-bench --write-ics DIR [--events N] [--put-events P] [--seed S]\n"
                     "  [--outbox /path/ [--address CAL-ADDRESS]]\n"
                     "  [--time-cap SECONDS] [--put-cap SECONDS] [--mixed-seconds SECONDS] "
                     "[--timeout SECONDS] [--csv 1]\n"
                     "  [--api 1 (adds " << api_phases << ")] [--api-users N] [--api-user-events M] "
                     "[--api-domain DOMAIN]\n";
        return 2;
    }
    if (o.address.empty()) o.address = "/dav/principals/users/" + o.user + "/";
    if (!ensure_collection(o)) return 1;
    std::vector<Result> results;
    auto want = [&](const std::string& p) {
        return ("," + o.phases + ",").find("," + p + ",") != std::string::npos;
    };
    const std::size_t n = o.events;
    const std::size_t np = o.put_events;
    const std::size_t put1 = std::min<std::size_t>(np, std::max<std::size_t>(1, np / 10));
    b.stored.assign(n, 0);
    // Without the PUT phases the events are assumed to be stored by an earlier
    // run; those past --put-events always are.
    if (!want("put1") && !want("put16")) b.stored.assign(n, 1);
    std::fill(b.stored.begin() + static_cast<std::ptrdiff_t>(np), b.stored.end(), 1);
    auto put_range = [&](int conc, std::size_t first, std::size_t count) {
        return run_phase(o, "PUT", conc, count, 0,
                         [&, first](Client& c, std::size_t i, ErrorNote& note) {
                             auto r = b.put(c, first + i, 0, note);
                             if (r == Outcome::ok) b.stored[first + i] = 1;
                             return r;
                         });
    };
    if (want("seed")) {
        // Stores the events past --put-events, as a setup step of its own run.
        auto r = put_range(16, np, n - np);
        print(o, {r}, n - np - r.errors);
        return r.errors ? 1 : 0;
    }
    if (want("put1")) results.push_back(put_range(1, 0, put1));
    if (want("put16")) results.push_back(put_range(16, put1, np - put1));
    for (std::size_t i = 0; i < n; ++i)
        if (b.stored[i]) b.names.push_back(i);
    if (b.names.empty()) {
        print(o, results, 0);
        return 1;
    }
    // Expected answers over exactly the events that were stored.
    b.week_expect.assign(b.weeks.size(), {});
    b.month_expect.assign(b.months.size(), {});
    for (std::size_t i : b.names) {
        auto one_w = bench::expectations(o.seed, i, 1, b.weeks);
        auto one_m = bench::expectations(o.seed, i, 1, b.months);
        for (std::size_t w = 0; w < b.weeks.size(); ++w) {
            b.week_expect[w].names.insert(one_w[w].names.begin(), one_w[w].names.end());
            b.week_expect[w].instances += one_w[w].instances;
        }
        for (std::size_t w = 0; w < b.months.size(); ++w)
            b.month_expect[w].busy.insert(b.month_expect[w].busy.end(), one_m[w].busy.begin(),
                                          one_m[w].busy.end());
    }
    for (auto& m : b.month_expect) bench::merge_periods(m.busy);
    for (const auto& w : b.week_expect) b.week_sorted.emplace_back(w.names.begin(), w.names.end());
    std::multiset<std::string> all;
    for (std::size_t i : b.names) all.insert("ev" + std::to_string(i) + ".ics");

    if (want("propfind")) {
        std::string body =
            "<d:propfind "
            "xmlns:d=\"DAV:\"><d:prop><d:getetag/><d:getcontenttype/></d:prop></d:propfind>";
        results.push_back(run_phase(
            o, "PROPFIND Depth 1", 1, 20, 0, [&](Client& c, std::size_t, ErrorNote& note) {
                std::string out;
                int s =
                    call(c, o, request(o, "PROPFIND", o.collection, body, "Depth: 1\r\n"), &out);
                if (auto r = status_outcome(s, 207, note, "PROPFIND"); r != Outcome::ok) return r;
                if (bench::object_names(out) == all) return Outcome::ok;
                note.set("PROPFIND: " + std::to_string(bench::object_names(out).size()) +
                         " members, expected " + std::to_string(all.size()));
                return Outcome::error;
            }));
    }
    if (want("multiget"))
        results.push_back(run_phase(
            o, "multiget 50 hrefs", 1, 200, 0,
            [&](Client& c, std::size_t i, ErrorNote& note) { return b.multiget(c, i, note); }));
    for (bool expand : {false, true}) {
        if (!want(expand ? "expand" : "query")) continue;
        results.push_back(run_phase(o, expand ? "query week expand" : "query week", 1, 320, 0,
                                    [&, expand](Client& c, std::size_t i, ErrorNote& note) {
                                        return b.query(c, i % b.weeks.size(), expand, note);
                                    }));
    }
    if (want("query-etag"))
        results.push_back(run_phase(o, "query week etag-only", 1, 320, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return b.query(c, i % b.weeks.size(), false, note, false);
                                    }));
    if (want("freebusy"))
        results.push_back(run_phase(o, "free-busy month", 1, 100, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return b.freebusy(c, i % b.months.size(), note);
                                    }));
    if (want("outbox") && !o.outbox.empty())
        results.push_back(run_phase(o, "free/busy lookup month", 1, 100, 0,
                                    [&](Client& c, std::size_t i, ErrorNote& note) {
                                        return b.lookup(c, i % b.months.size(), note);
                                    }));
    if (want("sync")) {
        std::string token;
        std::mutex token_m;
        results.push_back(
            run_phase(o, "sync initial", 1, 10, 0, [&](Client& c, std::size_t, ErrorNote& note) {
                std::string t;
                auto r = b.sync(c, "", all, &t, note);
                std::lock_guard lock(token_m);
                if (token.empty()) token = t;
                return r;
            }));
        // 100 changed members (new SUMMARY, same times), then the same delta asked for repeatedly.
        std::multiset<std::string> changed;
        {
            Client c(o.port);
            ErrorNote note;
            for (std::size_t k = 0; k < std::min<std::size_t>(100, b.names.size()); ++k) {
                std::size_t i =
                    b.names[k * b.names.size() / std::min<std::size_t>(100, b.names.size())];
                if (b.put(c, i, 1, note) == Outcome::ok)
                    changed.insert("ev" + std::to_string(i) + ".ics");
            }
        }
        if (!token.empty())
            results.push_back(run_phase(o, "sync incremental (100)", 1, 100, 0,
                                        [&](Client& c, std::size_t, ErrorNote& note) {
                                            return b.sync(c, token, changed, nullptr, note);
                                        }));
    }
    // 70% week queries, 20% multigets, 10% PUTs for a fixed time; "mixed-etag"
    // asks the queries for ETags only (a syncing client's poll).
    for (bool with_data : {true, false}) {
        if (!want(with_data ? "mixed" : "mixed-etag")) continue;
        results.push_back(
            run_phase(o, with_data ? "mixed 70/20/10" : "mixed 70/20/10 etag-only", 16,
                      static_cast<std::size_t>(-1), o.mixed_seconds,
                      [&, with_data](Client& c, std::size_t i, ErrorNote& note) {
                          std::size_t r = bench::detail::mix(i) % 10;
                          if (r < 7) {
                              auto q = b.query(c, i % b.weeks.size(), false, note, with_data);
                              return q == Outcome::unsupported ? Outcome::error : q;
                          }
                          if (r < 9) return b.multiget(c, i, note);
                          return b.put(c, b.names[bench::detail::mix(i + 1) % b.names.size()],
                                       b.revision++ % 1000 + 2, note);
                      }));
    }
    run_api_phases(b, want, results);
    print(o, results, b.names.size());
    return 0;
}

// Load driver for CalDAV servers: runs timed phases over keep-alive connections
// from several threads and prints ops/s, p50/p99 latency and errors (issue 7).
// A benchmark measures; it asserts nothing (tests do that).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/http/workload.hpp"
#include "tests/support/http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::uint16_t port = 0;
    std::string user = "alice";
    std::string password;
    std::string collection;  ///< path of the calendar, ending in '/'
    std::size_t events = 10000;
    std::uint64_t seed = 42;
    std::string phases = "put1,put16,propfind,sync";
    double time_cap_seconds = 0;  ///< 0 = none; a phase stops issuing work after it
    bool csv = false;
};

struct Result {
    std::string phase;
    std::size_t ops = 0;
    std::size_t errors = 0;
    double seconds = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    bool capped = false;
};

std::string request(const Options& o, const std::string& method, const std::string& path, const std::string& body,
                    const std::string& extra = {}) {
    std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                    test_support::basic_auth(o.user, o.password) + "\r\n" + extra;
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}

/// Runs `total` operations on `concurrency` connections; `op` returns success.
Result run_phase(const Options& o, const std::string& name, int concurrency, std::size_t total,
                 const std::function<bool(test_support::HttpClient&, std::size_t)>& op) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> errors{0};
    std::atomic<bool> capped{false};
    std::mutex m;
    std::vector<double> latencies;
    latencies.reserve(total);
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t) {
        threads.emplace_back([&] {
            std::vector<double> mine;
            auto client = std::make_unique<test_support::HttpClient>(o.port);
            for (std::size_t i; (i = next++) < total;) {
                if (o.time_cap_seconds > 0 &&
                    std::chrono::duration<double>(Clock::now() - start).count() > o.time_cap_seconds) {
                    capped = true;
                    break;
                }
                auto t0 = Clock::now();
                bool ok = false;
                try {
                    ok = op(*client, i);
                } catch (const std::exception&) {
                    ok = false;
                }
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                if (!ok) {
                    ++errors;
                    client = std::make_unique<test_support::HttpClient>(o.port);
                }
            }
            std::lock_guard lock(m);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : threads) t.join();
    Result r;
    r.phase = name + " c=" + std::to_string(concurrency);
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.ops = latencies.size();
    r.errors = errors;
    r.capped = capped;
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.empty()) {
        r.p50_ms = latencies[latencies.size() / 2];
        r.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    }
    return r;
}

bool expect(test_support::HttpClient& c, const std::string& req, int status, std::string* body = nullptr) {
    c.send(req);
    auto r = c.read_reply(std::chrono::seconds(60));
    if (!r) return false;
    if (body) *body = std::move(r->body);
    return r->status == status;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--port") o.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--user") o.user = v;
        else if (k == "--password") o.password = v;
        else if (k == "--collection") o.collection = v;
        else if (k == "--events") o.events = std::stoul(v);
        else if (k == "--seed") o.seed = std::stoull(v);
        else if (k == "--phases") o.phases = v;
        else if (k == "--time-cap") o.time_cap_seconds = std::stod(v);
        else if (k == "--csv") o.csv = v == "1";
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    if (!o.port || o.collection.empty()) {
        std::cerr << "usage: kalends-bench --port P --password PW --collection /path/ [--events N] [--seed S]\n";
        return 2;
    }
    auto events = bench::generate(o.events, o.seed);
    std::vector<Result> results;
    auto want = [&](const std::string& p) { return ("," + o.phases + ",").find("," + p + ",") != std::string::npos; };
    std::size_t put1 = std::min<std::size_t>(events.size(), std::max<std::size_t>(1, events.size() / 10));

    auto put = [&](test_support::HttpClient& c, std::size_t i) {
        const auto& e = events[i];
        return expect(c, request(o, "PUT", o.collection + e.name, e.ics, "Content-Type: text/calendar; charset=utf-8\r\n"), 201);
    };
    if (want("put1")) results.push_back(run_phase(o, "PUT", 1, put1, put));
    if (want("put16")) {
        results.push_back(run_phase(o, "PUT", 16, events.size() - put1,
                                    [&](test_support::HttpClient& c, std::size_t i) { return put(c, i + put1); }));
    }
    if (want("propfind")) {
        std::string body = "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:getetag/><d:getcontenttype/></d:prop></d:propfind>";
        results.push_back(run_phase(o, "PROPFIND Depth 1", 1, 20, [&](test_support::HttpClient& c, std::size_t) {
            std::string out;
            // Correctness while measuring: one response per member plus the collection.
            return expect(c, request(o, "PROPFIND", o.collection, body, "Depth: 1\r\n"), 207, &out) &&
                   count(out, "<D:response>") + count(out, "<d:response>") + count(out, "<response>") == events.size() + 1;
        }));
    }
    if (want("sync")) {
        std::string body = "<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token/><d:sync-level>1</d:sync-level>"
                           "<d:prop><d:getetag/></d:prop></d:sync-collection>";
        results.push_back(run_phase(o, "sync-collection initial", 1, 10, [&](test_support::HttpClient& c, std::size_t) {
            std::string out;
            return expect(c, request(o, "REPORT", o.collection, body, "Depth: 1\r\n"), 207, &out) &&
                   count(out, "<D:response>") + count(out, "<d:response>") + count(out, "<response>") == events.size();
        }));
    }
    if (o.csv) {
        for (const auto& r : results)
            std::printf("%s,%zu,%.1f,%.3f,%.3f,%zu,%s\n", r.phase.c_str(), r.ops, r.ops / r.seconds, r.p50_ms, r.p99_ms,
                        r.errors, r.capped ? "capped" : "");
        return 0;
    }
    std::printf("%-28s %10s %10s %10s %10s %8s\n", "phase", "ops", "ops/s", "p50 ms", "p99 ms", "errors");
    for (const auto& r : results)
        std::printf("%-28s %10zu %10.1f %10.2f %10.2f %8zu%s\n", r.phase.c_str(), r.ops, r.ops / r.seconds, r.p50_ms,
                    r.p99_ms, r.errors, r.capped ? "  (time cap)" : "");
    return 0;
}

// The JSON API's routing and error rendering (src/api/api_endpoint.hpp).
#include "src/api/api_endpoint.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "caldav/alongside.hpp"
#include "caldav/error.hpp"
#include "caldav/event_service.hpp"
#include "caldav/parsed_event_cache.hpp"
#include "caldav/write_plan.hpp"
#include "ical/event_spec.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/api/event_json.hpp"
#include "src/storage/account_store.hpp"
#include "src/util/log.hpp"
#include "src/util/metrics.hpp"

namespace server::api {

std::string_view openapi_document();  // generated from docs/openapi.json

namespace {

using Handler = caldav::Response (*)(Call&);

/// One route: a method and a path pattern over the segments after /api/v1/
/// ("*" matches any one segment).
struct Route {
    std::string_view method;
    std::vector<std::string_view> pattern;
    Handler handler;
};

const std::vector<Route>& routes() {
    static const std::vector<Route> table{
        {"POST", {"events"}, create_event},
        {"GET", {"events"}, list_events},
        {"GET", {"events", "*"}, get_event},
        {"PATCH", {"events", "*"}, update_event},
        {"DELETE", {"events", "*"}, delete_event},
        {"POST", {"events", "*", "rsvp"}, rsvp_event},
        {"POST", {"availability", "check"}, check_availability},
        {"POST", {"availability", "suggest"}, suggest_times},
        {"GET", {"calendars"}, list_calendars},
        {"POST", {"calendars"}, create_calendar},
        {"PATCH", {"calendars", "*"}, update_calendar},
        {"DELETE", {"calendars", "*"}, delete_calendar},
        {"GET", {"calendars", "*", "shares"}, list_shares},
        {"PUT", {"calendars", "*", "shares"}, put_share},
        {"DELETE", {"calendars", "*", "shares", "*"}, delete_share},
        {"GET", {"calendars", "*", "feeds"}, list_feeds},
        {"POST", {"calendars", "*", "feeds"}, create_public_feed},
        {"DELETE", {"calendars", "*", "feeds", "*"}, delete_feed},
        {"GET", {"push", "vapid-public-key"}, get_vapid_key},
        {"GET", {"push", "subscriptions"}, list_push_subscriptions},
        {"POST", {"push", "subscriptions"}, create_push_subscription},
        {"DELETE", {"push", "subscriptions", "*"}, delete_push_subscription},
        {"POST", {"sessions"}, create_session},
        {"DELETE", {"sessions", "current"}, delete_session},
    };
    return table;
}

bool matches(const Route& r, const std::vector<std::string>& segments) {
    if (r.pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i)
        if (r.pattern[i] != "*" && r.pattern[i] != segments[i]) return false;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Percent-decodes `s` (and "+" as a space in a query); nullopt on a bad escape.
std::optional<std::string> decode(std::string_view s, bool query) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (query && s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::vector<std::string> split_segments(std::string_view path) {
    std::vector<std::string> out;
    while (!path.empty()) {
        auto slash = path.find('/');
        auto part = path.substr(0, slash);
        if (!part.empty()) {
            auto d = decode(part, false);
            if (!d) throw ApiError(400, "invalid-request", "malformed percent escape in the path");
            out.push_back(std::move(*d));
        }
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

std::map<std::string, std::string> split_query(std::string_view q) {
    std::map<std::string, std::string> out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        auto eq = part.find('=');
        auto name = decode(part.substr(0, eq), true);
        auto value = decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
        if (!name || !value) throw ApiError(400, "invalid-request", "malformed percent escape in the query");
        if (!name->empty()) out.emplace(std::move(*name), std::move(*value));
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    return out;
}

/// The problem slug of a service error's status.
std::string slug_of(int status) {
    switch (status) {
        case 400: return "invalid-request";
        case 403: return "forbidden";
        case 404: return "not-found";
        case 409: return "conflict";
        case 412: return "precondition-failed";
        case 413: return "payload-too-large";
        case 422: return "validation";
        case 503: return "unavailable";
        default: return status >= 500 ? "internal" : "invalid-request";
    }
}

/// A service error as the API answers it: what CalDAV refuses with a
/// precondition on the data (403 valid-calendar-data, max-instances, ...)
/// is content the caller sent, 422 here.
ApiError from_service(const caldav::Error& e) {
    using P = caldav::Precondition;
    int status = e.status();
    switch (e.precondition()) {
        case P::valid_calendar_data:
        case P::valid_calendar_object_resource:
        case P::supported_calendar_component:
        case P::max_resource_size:
        case P::min_date_time:
        case P::max_date_time:
        case P::max_instances:
        case P::max_attendees_per_instance:
        case P::same_organizer_in_all_components:
            status = 422;
            break;
        case P::quota_not_exceeded: return ApiError(507, "insufficient-storage", e.description());
        default: break;
    }
    return ApiError(status, slug_of(status), e.description());
}

}  // namespace

/// A few threads of their own: work beside a request never waits behind
/// requests in the server's pools, and when all of them are busy (many
/// creates at once) the request runs the work itself rather than queue it.
class ApiEndpoint::SideThreads : public caldav::Alongside {
public:
    explicit SideThreads(unsigned threads) : threads_(threads), pool_(threads) {}
    ~SideThreads() override { pool_.join(); }

    bool try_start(std::function<void()> work) override {
        if (busy_.fetch_add(1) >= threads_) {
            busy_.fetch_sub(1);
            return false;
        }
        boost::asio::post(pool_, [this, work = std::move(work)] {
            work();
            busy_.fetch_sub(1);
        });
        return true;
    }

private:
    const unsigned threads_;
    std::atomic<unsigned> busy_{0};
    boost::asio::thread_pool pool_;
};

ApiEndpoint::ApiEndpoint(caldav::Store& store, const caldav::Limits& limits, const ApiConfig& config, WallClock now)
    : store_(store), limits_(limits), config_(config), now_(std::move(now)),
      // The backends keep accounts beside calendars (storage/backend.hpp).
      accounts_(dynamic_cast<AccountStore*>(&store)),
      side_(config.conflict_threads > 0 ? std::make_unique<SideThreads>(config.conflict_threads) : nullptr) {
    caldav::parsed_event_cache().set_capacity(config_.parsed_cache_entries);
    if (!now_)
        now_ = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
}

ApiEndpoint::~ApiEndpoint() = default;

caldav::Response ApiEndpoint::handle(const caldav::Request& request) {
    try {
        return route(request);
    } catch (const caldav::EventFieldError& e) {
        log::info("rid=" + request.request_id + " api: " + e.field() + ": " + e.description());
        return problem_response(ApiError(422, "validation", e.description(), e.field()), request.request_id);
    } catch (const caldav::ConflictsError& e) {
        log::info("rid=" + request.request_id + " api: 409 conflict: " + e.description());
        ApiError problem(409, "conflict", e.description());
        problem.extra["conflicts"] = conflicts_json(e.conflicts());
        return problem_response(problem, request.request_id);
    } catch (const ApiError& e) {
        log::info("rid=" + request.request_id + " api: " + std::to_string(e.status()) + " " + e.slug() + ": " +
                  e.detail() + (e.field().empty() ? "" : " (" + e.field() + ")"));
        return problem_response(e, request.request_id);
    } catch (const caldav::Error& e) {
        log::info("rid=" + request.request_id + " api: " + std::to_string(e.status()) + ": " + e.description());
        return problem_response(from_service(e), request.request_id);
    } catch (const std::exception& e) {
        log::error("rid=" + request.request_id + " api: unexpected exception: " + e.what());
        return problem_response(ApiError(500, "internal", "internal error; the request id names it in the log"),
                                request.request_id);
    }
}

caldav::Response ApiEndpoint::route(const caldav::Request& request) {
    std::string_view target = request.raw_target;
    if (auto scheme = target.find("://"); scheme != std::string_view::npos && scheme < target.find('/'))
        target.remove_prefix(std::min(target.size(), target.find('/', scheme + 3)));
    auto qmark = target.find('?');
    std::string_view path = target.substr(0, qmark);
    std::string_view query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
    if (!path.starts_with("/api/v1/") && path != "/api/v1")
        throw ApiError(404, "not-found", "the API lives under /api/v1/");
    auto segments = split_segments(path.substr(7));
    if (segments.size() == 1 && segments[0] == "openapi.json" && is_read_only(request.method)) {
        caldav::Response r;
        r.headers.set("Content-Type", "application/json");
        r.headers.set("Cache-Control", "no-cache");
        r.body = std::string(openapi_document());
        return r;
    }
    const Route* found = nullptr;
    std::string allow;
    for (const auto& r : routes()) {
        if (!matches(r, segments)) continue;
        allow += allow.empty() ? std::string(r.method) : ", " + std::string(r.method);
        if (r.method == request.method || (request.method == "HEAD" && r.method == "GET")) found = &r;
    }
    if (allow.empty()) throw ApiError(404, "not-found", "no such API resource");
    if (!found) {
        ApiError e(405, "method-not-allowed", request.method + " is not offered here");
        e.headers.emplace_back("Allow", allow);
        throw e;
    }
    if (!request.principal) return unauthorized(request.request_id);
    auto principal = store_.find_principal(request.principal->name);
    if (!principal) return unauthorized(request.request_id);
    caldav::Actor actor{store_, limits_, *principal, imip_};
    actor.alongside = side_.get();
    Call call{request, actor, config_, std::move(segments), split_query(query), now_()};
    call.accounts = accounts_;
    call.push_store = push_store_;
    call.push = push_;
    // The latencies the specification names (issue 29 §1), whatever the outcome.
    std::optional<metrics::ApiTimer> timer;
    if (found->handler == create_event) timer.emplace(metrics::ApiOperation::event_create);
    if (found->handler == check_availability) timer.emplace(metrics::ApiOperation::availability_check);
    if (found->handler == rsvp_event) timer.emplace(metrics::ApiOperation::rsvp);
    return found->handler(call);
}

caldav::Response ApiEndpoint::unauthorized(const std::string& request_id) {
    ApiError e(401, "unauthorized", "send HTTP Basic credentials or a personal access token (Bearer)");
    // Both challenges in one field (RFC 9110 §11.6.1): a client reading only
    // the first WWW-Authenticate still learns of both schemes.
    e.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Kalends\", charset=\"UTF-8\", Bearer realm=\"Kalends\"");
    return problem_response(e, request_id);
}

caldav::Response ApiEndpoint::unauthorized_for(const caldav::Request& request) {
    auto authorization = request.headers.get("Authorization");
    bool bearer = authorization && authorization->size() >= 7 && caldav::iequals(authorization->substr(0, 7), "Bearer ");
    if (!bearer && !(request.method == "POST" && request.path == "/api/v1/sessions"))
        return unauthorized(request.request_id);
    ApiError e(401, "unauthorized",
               bearer ? "the token is unknown, revoked or expired; sign in again" : "wrong user name or password");
    e.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"Kalends\"");
    return problem_response(e, request.request_id);
}

caldav::Response ApiEndpoint::rate_limited(const std::string& request_id, std::int64_t retry_after_seconds) {
    ApiError e(429, "rate-limited",
               "more requests than api.rate-per-minute allows; retry after " + std::to_string(retry_after_seconds) +
                   " s");
    e.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
    return problem_response(e, request_id);
}

// ---- Call ------------------------------------------------------------------

boost::json::object Call::body() const {
    JsonLimits limits{config.max_json_depth, config.max_json_bytes, config.max_string_bytes};
    return parse_object(request.body, limits);
}

std::optional<std::string> Call::param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
}

std::optional<std::int64_t> Call::time_param(const std::string& name, const std::string& zone) const {
    auto text = param(name);
    if (!text) return std::nullopt;
    if (auto t = ical::parse_rfc3339(*text)) return t;
    // A date: midnight of that day where the caller lives.
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (text->size() == 10 && std::sscanf(text->c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
        m <= 12 && d >= 1 && d <= 31) {
        ical::LocalTime local;
        local.year = y;
        local.month = m;
        local.day = d;
        return ical::utc_of_local(local, zone);
    }
    throw ApiError(400, "invalid-request", name + " must be an RFC 3339 date-time or a date YYYY-MM-DD");
}

std::string checked_zone(const std::string& zone, const std::string& field) {
    if (!ical::known_time_zone(zone))
        throw ApiError(422, "validation", "'" + zone.substr(0, 64) + "' is not a known IANA time zone", field);
    return zone;
}

}  // namespace server::api

// The JSON API at /api/v1 (issue 24, docs/api.md, docs/openapi.json): a second
// front end over the calendar service, beside the DAV handlers. It calls the
// same object writes, scheduling, availability and privilege decisions
// (caldav/event_service.hpp, caldav/availability.hpp) and knows no Beast.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"
#include "caldav/store_push.hpp"
#include "src/config/config.hpp"

namespace caldav {
class ImipGateway;
}

namespace server {
class AccountStore;
}

namespace server::api {

/// For POST /api/v1/sessions (the web app's sign-in): the body's "user" and
/// "password" as an `Authorization: Basic` value, so that src/http checks
/// them exactly as Basic credentials (failure counting, slow-down); nullopt
/// for any other request or a body without both strings.
std::optional<std::string> session_login_authorization(const caldav::Request& request);

/// Serves /api/v1/... for authenticated principals. Thread-safe; runs on the
/// handler pools like caldav::Service.
class ApiEndpoint {
public:
    /// Seconds since the Unix epoch (tests inject a clock).
    using WallClock = std::function<std::int64_t()>;

    /// `store` and `config` must outlive the endpoint.
    ApiEndpoint(caldav::Store& store, const caldav::Limits& limits, const ApiConfig& config, WallClock now = {});
    ~ApiEndpoint();

    /// Email for external attendees (iMIP), as caldav::Service has; nullptr: none.
    void set_imip_gateway(caldav::ImipGateway* imip) { imip_ = imip; }

    /// Offers /api/v1/push (issue 26 §5) over `store` with `settings`; both
    /// must outlive the endpoint. Without it those paths answer 404.
    void set_push(caldav::PushStore* store, const caldav::DavPushSettings* settings) {
        push_store_ = store;
        push_ = settings;
    }

    /// True for the paths this endpoint answers.
    static bool serves(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

    /// True for requests that only read (they may run on the reader pool).
    static bool is_read_only(std::string_view method) { return method == "GET" || method == "HEAD"; }

    /// Answers one request; `request.principal` must be set (src/http
    /// authenticates first). Errors become RFC 9457 problems (4xx with the
    /// offending field, 500 with the request id only). Never throws.
    caldav::Response handle(const caldav::Request& request);

    /// The problem+json answer for an unauthenticated request (401).
    static caldav::Response unauthorized(const std::string& request_id);

    /// The 401 for `request`: to a Bearer request or a web sign-in only the
    /// Bearer challenge (RFC 6750 §3), so that browsers show no password
    /// prompt of their own over the web app; else unauthorized().
    static caldav::Response unauthorized_for(const caldav::Request& request);

    /// The problem+json answer for a user over api.rate-per-minute (429).
    static caldav::Response rate_limited(const std::string& request_id, std::int64_t retry_after_seconds);

private:
    caldav::Response route(const caldav::Request& request);

    caldav::Store& store_;
    caldav::Limits limits_;
    const ApiConfig& config_;
    WallClock now_;
    caldav::ImipGateway* imip_ = nullptr;
    caldav::PushStore* push_store_ = nullptr;
    const caldav::DavPushSettings* push_ = nullptr;
    AccountStore* accounts_ = nullptr;  ///< the store's accounts, when it keeps them (sign-in)
    class SideThreads;
    /// api.conflict-threads: where a create checks its conflicts beside its
    /// write (caldav/alongside.hpp); null when 0.
    std::unique_ptr<SideThreads> side_;
};

}  // namespace server::api

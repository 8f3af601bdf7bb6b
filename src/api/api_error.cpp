// RFC 9457 problem answers of the JSON API (src/api/api_error.hpp).
#include "src/api/api_error.hpp"

#include <boost/json/serialize.hpp>

namespace server::api {

namespace json = boost::json;

namespace {

struct ProblemType {
    const char* slug;
    const char* title;
};

/// Every problem type the API answers with (docs/api.md lists them).
constexpr ProblemType problem_types[] = {
    {"malformed-json", "The body is not a JSON object"},
    {"invalid-request", "The request is not valid"},
    {"validation", "A field has an impossible value"},
    {"not-found", "No such resource"},
    {"forbidden", "Not permitted"},
    {"precondition-failed", "The resource changed"},
    {"conflict", "The change conflicts with the calendar"},
    {"payload-too-large", "The body is too large"},
    {"rate-limited", "Too many requests"},
    {"unauthorized", "Authentication required"},
    {"method-not-allowed", "Method not allowed"},
    {"idempotency-key-reused", "The Idempotency-Key was used for another request"},
    {"unavailable", "Try again later"},
    {"internal", "Internal error"},
};

}  // namespace

const char* problem_title(const std::string& slug) {
    for (const auto& t : problem_types)
        if (slug == t.slug) return t.title;
    return "Error";
}

caldav::Response problem_response(const ApiError& e, const std::string& request_id) {
    json::object body;
    body["type"] = "/api/v1/problems/" + e.slug();
    body["title"] = problem_title(e.slug());
    body["status"] = e.status();
    body["detail"] = e.detail();
    if (!e.field().empty()) body["field"] = e.field();
    if (!request_id.empty()) body["request_id"] = request_id;
    for (const auto& [key, value] : e.extra) body[key] = value;
    caldav::Response r;
    r.status = e.status();
    r.headers.set("Content-Type", "application/problem+json");
    r.headers.set("Cache-Control", "no-store");
    for (const auto& [name, value] : e.headers) r.headers.add(name, value);
    r.body = json::serialize(body);
    return r;
}

caldav::Response json_response(int status, const json::value& body) {
    caldav::Response r;
    r.status = status;
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Cache-Control", "no-store");
    r.body = json::serialize(body);
    return r;
}

}  // namespace server::api

// How a JSON API request ends in failure: an RFC 9457 problem (issue 24).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "caldav/message.hpp"

namespace server::api {

/// Thrown by the API's handlers and rendered once, by ApiEndpoint::handle, as
/// application/problem+json (RFC 9457 §3): `slug` names the problem type
/// (/api/v1/problems/SLUG), `field` the offending member of the request
/// ("recurrence.by_day[2]") when one is to blame. `detail` is safe to show.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string slug, std::string detail, std::string field = {})
        : std::runtime_error(detail),
          status_(status),
          slug_(std::move(slug)),
          detail_(std::move(detail)),
          field_(std::move(field)) {}

    int status() const noexcept { return status_; }
    const std::string& slug() const noexcept { return slug_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& field() const noexcept { return field_; }

    /// Members added to the problem object (e.g. "conflicts" on a 409).
    boost::json::object extra;
    /// Header fields added to the answer (Retry-After, Allow, WWW-Authenticate).
    std::vector<std::pair<std::string, std::string>> headers;

private:
    int status_;
    std::string slug_;
    std::string detail_;
    std::string field_;
};

/// The title of problem type `slug` (RFC 9457 §3.1.3), or "Error".
const char* problem_title(const std::string& slug);

/// The problem+json answer for `e`, naming `request_id`.
caldav::Response problem_response(const ApiError& e, const std::string& request_id);

/// A 200-class answer with `body` serialized as application/json.
caldav::Response json_response(int status, const boost::json::value& body);

}  // namespace server::api

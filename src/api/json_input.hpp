// Reading JSON request bodies within limits and typed (issue 24): malformed or
// too deep → 400, too big → 413, a member of the wrong type or out of range →
// 422 naming it. Unknown members are ignored (docs/api.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace server::api {

/// Bounds on one request body (the [api] settings json-depth, json-bytes, string-bytes).
struct JsonLimits {
    std::size_t max_depth = 32;
    std::size_t max_bytes = 1 << 20;
    std::size_t max_string_bytes = 64 * 1024;
};

/// Parses `body` as one JSON object. Throws ApiError: 413 payload-too-large
/// past max_bytes, 400 malformed-json for syntax errors, nesting past
/// max_depth or a top level that is not an object, 422 validation for a
/// string longer than max_string_bytes (naming where it is).
boost::json::object parse_object(std::string_view body, const JsonLimits& limits);

/// Typed access to the members of one JSON object, naming each member by its
/// path ("recurrence.until", "attendees[1].email") in the 422 it throws.
class Fields {
public:
    Fields(const boost::json::object& object, std::string prefix = {}) : object_(object), prefix_(std::move(prefix)) {}

    /// The path of member `key` ("recurrence.until").
    std::string path(std::string_view key) const;
    bool has(std::string_view key) const;  ///< present and not null

    std::optional<std::string> string(std::string_view key) const;
    /// A string that must be present and not empty.
    std::string required_string(std::string_view key) const;
    std::optional<bool> boolean(std::string_view key) const;
    /// An integer within [min, max].
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
    /// An RFC 3339 date-time, as UTC seconds.
    std::optional<std::int64_t> time(std::string_view key) const;
    std::int64_t required_time(std::string_view key) const;
    /// An array of strings.
    std::optional<std::vector<std::string>> strings(std::string_view key) const;
    /// An array of integers within [min, max].
    std::optional<std::vector<std::int64_t>> integers(std::string_view key, std::int64_t min, std::int64_t max) const;
    /// A nested object, or nullptr when absent or null.
    const boost::json::object* object(std::string_view key) const;
    /// An array of objects (each checked to be one), or nullptr when absent or null.
    const boost::json::array* objects(std::string_view key) const;

private:
    const boost::json::value* find(std::string_view key) const;
    [[noreturn]] void wrong(std::string_view key, const char* expected) const;

    const boost::json::object& object_;
    std::string prefix_;
};

}  // namespace server::api

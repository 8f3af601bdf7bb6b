// caldav::Request and caldav::Response: transport-neutral HTTP messages.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace caldav {

/// `s` with ASCII letters in lower case (header values, mailto: addresses).
inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

/// Header fields in arrival order; names compare case-insensitively.
class Headers {
public:
    /// Appends a field (repeated fields stay separate entries).
    void add(std::string name, std::string value);
    /// Replaces every field called `name` with one field.
    void set(std::string name, std::string value);
    /// The first value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    /// True when a field called `name` is present.
    bool has(std::string_view name) const { return get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

/// The authenticated user a request acts for.
struct Principal {
    std::int64_t id = 0;
    std::string name;
};

/// One HTTP request as the protocol layer sees it. `path` is percent-decoded and
/// normalised by src/http (no "." or ".." segments, no empty segments except a
/// trailing slash); `raw_target` is what the client sent.
struct Request {
    std::string method;
    std::string path;
    std::string raw_target;
    Headers headers;
    std::string body;
    std::optional<Principal> principal;  ///< empty for anonymous requests
    std::string request_id;
};

/// One HTTP response. `precondition` names the failed precondition for the log.
struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    std::string precondition;  ///< "ns local" of a failed precondition, for logging
    /// For large answers: when set, `body` is only the beginning and each call
    /// returns the next piece, an empty string once done. The HTTP layer sends
    /// such a body chunked, calling this on a handler thread (it may block on
    /// the store). It must stay valid on its own (capture by value).
    std::function<std::string()> next_chunk;

    /// Pulls every remaining chunk into `body` (for tests and small consumers).
    void collect();
};

/// True when `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace caldav

// Reading JSON request bodies (src/api/json_input.hpp).
#include "src/api/json_input.hpp"

#include <boost/json/parse.hpp>

#include "ical/event_spec.hpp"
#include "src/api/api_error.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// The first string longer than `max` under `v`, as a path, or nullopt.
std::optional<std::string> long_string(const json::value& v, std::size_t max, const std::string& at) {
    if (v.is_string()) return v.get_string().size() > max ? std::optional<std::string>(at) : std::nullopt;
    if (v.is_array()) {
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i)
            if (auto p = long_string(a[i], max, at + "[" + std::to_string(i) + "]")) return p;
    } else if (v.is_object()) {
        for (const auto& [key, member] : v.get_object()) {
            std::string name = at.empty() ? std::string(key) : at + "." + std::string(key);
            if (key.size() > max) return name;
            if (auto p = long_string(member, max, name)) return p;
        }
    }
    return std::nullopt;
}

}  // namespace

json::object parse_object(std::string_view body, const JsonLimits& limits) {
    if (body.size() > limits.max_bytes)
        throw ApiError(413, "payload-too-large",
                       "the body is larger than api.json-bytes (" + std::to_string(limits.max_bytes) + " bytes)");
    json::parse_options options;
    options.max_depth = limits.max_depth;
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, {}, options);
    if (ec == json::error::too_deep)
        throw ApiError(400, "malformed-json",
                       "the body nests deeper than api.json-depth (" + std::to_string(limits.max_depth) + ")");
    if (ec) throw ApiError(400, "malformed-json", "the body is not JSON: " + ec.message());
    if (!v.is_object()) throw ApiError(400, "malformed-json", "the body must be a JSON object");
    if (auto where = long_string(v, limits.max_string_bytes, {}))
        throw ApiError(422, "validation",
                       "a string is longer than api.string-bytes (" + std::to_string(limits.max_string_bytes) + " bytes)",
                       *where);
    return std::move(v.get_object());
}

std::string Fields::path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const json::value* Fields::find(std::string_view key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->value().is_null()) return nullptr;
    return &it->value();
}

bool Fields::has(std::string_view key) const { return find(key) != nullptr; }

void Fields::wrong(std::string_view key, const char* expected) const {
    throw ApiError(422, "validation", path(key) + " must be " + expected, path(key));
}

std::optional<std::string> Fields::string(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) wrong(key, "a string");
    return std::string(v->get_string());
}

std::string Fields::required_string(std::string_view key) const {
    auto s = string(key);
    if (!s || s->empty()) throw ApiError(422, "validation", path(key) + " is required", path(key));
    return *s;
}

std::optional<bool> Fields::boolean(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_bool()) wrong(key, "true or false");
    return v->get_bool();
}

std::optional<std::int64_t> Fields::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    auto out_of_range = [&]() -> ApiError {
        return ApiError(422, "validation",
                        path(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max),
                        path(key));
    };
    if (v->is_uint64()) throw out_of_range();  // above INT64_MAX
    if (v->is_double()) {
        // 15.0 is an integer; 1e300 and 1.5 are not what was meant.
        double d = v->get_double();
        if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max))) throw out_of_range();
        if (d != static_cast<double>(static_cast<std::int64_t>(d))) wrong(key, "an integer");
        return static_cast<std::int64_t>(d);
    }
    if (!v->is_int64()) wrong(key, "an integer");
    std::int64_t n = v->get_int64();
    if (n < min || n > max) throw out_of_range();
    return n;
}

std::optional<std::int64_t> Fields::time(std::string_view key) const {
    auto s = string(key);
    if (!s) return std::nullopt;
    auto t = ical::parse_rfc3339(*s);
    if (!t) wrong(key, "an RFC 3339 date-time such as 2024-01-15T10:00:00Z");
    return t;
}

std::int64_t Fields::required_time(std::string_view key) const {
    auto t = time(key);
    if (!t) throw ApiError(422, "validation", path(key) + " is required", path(key));
    return *t;
}

std::optional<std::vector<std::string>> Fields::strings(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) wrong(key, "an array of strings");
    std::vector<std::string> out;
    const auto& a = v->get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string()) {
            auto at = path(key) + "[" + std::to_string(i) + "]";
            throw ApiError(422, "validation", at + " must be a string", at);
        }
        out.emplace_back(a[i].get_string());
    }
    return out;
}

std::optional<std::vector<std::int64_t>> Fields::integers(std::string_view key, std::int64_t min,
                                                          std::int64_t max) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) wrong(key, "an array of integers");
    std::vector<std::int64_t> out;
    const auto& a = v->get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto at = path(key) + "[" + std::to_string(i) + "]";
        if (!a[i].is_int64() && !a[i].is_uint64()) throw ApiError(422, "validation", at + " must be an integer", at);
        std::int64_t n = a[i].is_int64() ? a[i].get_int64() : max + 1;
        if (n < min || n > max)
            throw ApiError(422, "validation",
                           at + " must be between " + std::to_string(min) + " and " + std::to_string(max), at);
        out.push_back(n);
    }
    return out;
}

const json::object* Fields::object(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (!v->is_object()) wrong(key, "an object");
    return &v->get_object();
}

const json::array* Fields::objects(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (!v->is_array()) wrong(key, "an array of objects");
    const auto& a = v->get_array();
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!a[i].is_object()) {
            auto at = path(key) + "[" + std::to_string(i) + "]";
            throw ApiError(422, "validation", at + " must be an object", at);
        }
    return &a;
}

}  // namespace server::api

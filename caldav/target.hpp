// Request-target decoding: percent-decoding and path normalisation (RFC 3986 §5.2.4).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace caldav {

/// Turns a request-target (origin- or absolute-form) into a decoded path: query
/// dropped, %XX decoded, empty and "." segments removed, ".." resolved, trailing
/// slash kept. Returns nullopt for malformed escapes, NUL bytes, invalid UTF-8
/// or a ".." above the root.
std::optional<std::string> decode_target(std::string_view target);

}  // namespace caldav

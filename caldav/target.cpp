// Request-target decoding and normalisation (RFC 3986 §2.1, §5.2.4).
#include "caldav/target.hpp"

#include <cctype>
#include <vector>

namespace caldav {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += len;
    }
    return true;
}

/// True when `target` starts with `scheme` ("http://"), in any case (RFC 3986
/// §3.1: schemes are case-insensitive; a Destination of "HTTP://host/..." is
/// the same URL).
bool starts_with_scheme(std::string_view target, std::string_view scheme) {
    if (target.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(target[i])) != scheme[i]) return false;
    return true;
}

}  // namespace

std::optional<std::string> decode_target(std::string_view target) {
    if (starts_with_scheme(target, "http://") || starts_with_scheme(target, "https://")) {
        auto slash = target.find('/', target.find("//") + 2);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    if (target.empty() || target.front() != '/') return std::nullopt;
    if (auto q = target.find_first_of("?#"); q != std::string_view::npos) target = target.substr(0, q);
    std::vector<std::string> segments;
    bool trailing = false;
    std::size_t pos = 1;
    while (pos <= target.size()) {
        auto end = target.find('/', pos);
        if (end == std::string_view::npos) end = target.size();
        std::string_view raw = target.substr(pos, end - pos);
        trailing = end < target.size() || raw.empty();
        std::string seg;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.size()) return std::nullopt;
                int hi = hex_value(raw[i + 1]);
                int lo = hex_value(raw[i + 2]);
                if (hi < 0 || lo < 0) return std::nullopt;
                char c = static_cast<char>(hi * 16 + lo);
                if (c == '\0' || c == '/') return std::nullopt;
                seg.push_back(c);
                i += 2;
            } else {
                seg.push_back(raw[i]);
            }
        }
        if (seg == "..") {
            if (segments.empty()) return std::nullopt;
            segments.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(std::move(seg));
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& s : segments) out += "/" + s;
    if (out.empty() || trailing) out += "/";
    if (!valid_utf8(out)) return std::nullopt;
    return out;
}

}  // namespace caldav

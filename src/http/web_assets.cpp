// Serving the embedded web app (src/http/web_assets.hpp). The policy allows
// this origin's scripts, styles, images and API only: no inline script, no
// third-party origin, no framing (CSP Level 3; RFC 9111 Cache-Control);
// compressed bodies made at build time (RFC 9110 §8.4, §12.5.3).
#include "src/http/web_assets.hpp"

#include <cctype>

namespace server {

namespace {

/// The page's Content-Security-Policy. FullCalendar sets element styles from
/// script (CSSOM), which style-src does not govern; web/build.mjs moves the
/// CSS it would inject as <style> into our stylesheet. Its icon font is a
/// data: URL inside that stylesheet.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// Whether the parameters after a coding's name (";q=0.5") set its weight to zero.
bool weight_is_zero(std::string_view params) {
    auto q = params.find("q=");
    if (q == std::string_view::npos) return false;
    auto value = trimmed(params.substr(q + 2));
    for (char c : value) {
        if (c == ';' || c == ',') break;
        if (c != '0' && c != '.') return false;
    }
    return true;
}

caldav::Response asset_response(const WebAsset& a, std::string_view accept_encoding) {
    caldav::Response r;
    r.headers.set("Content-Type", std::string(a.content_type));
    std::string_view body = a.body;
    if (!a.br.empty() && accepts_coding(accept_encoding, "br")) {
        body = a.br;
        r.headers.set("Content-Encoding", "br");
    } else if (!a.gzip.empty() && accepts_coding(accept_encoding, "gzip")) {
        body = a.gzip;
        r.headers.set("Content-Encoding", "gzip");
    }
    if (!a.br.empty() || !a.gzip.empty()) r.headers.set("Vary", "Accept-Encoding");
    // Hashed names never change content; the page names the current ones.
    r.headers.set("Cache-Control", a.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    r.headers.set("Content-Security-Policy", std::string(content_security_policy));
    r.headers.set("X-Content-Type-Options", "nosniff");
    r.headers.set("Referrer-Policy", "no-referrer");
    r.headers.set("X-Frame-Options", "DENY");
    r.body = std::string(body);
    return r;
}

}  // namespace

bool accepts_coding(std::string_view accept_encoding, std::string_view coding) {
    bool star = false;  // "*" stands for codings not named (RFC 9110 §12.5.3)
    while (!accept_encoding.empty()) {
        auto comma = accept_encoding.find(',');
        auto item = accept_encoding.substr(0, comma);
        accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
        auto semi = item.find(';');
        auto name = trimmed(item.substr(0, semi));
        auto params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
        if (iequal(name, coding)) return !weight_is_zero(params);
        if (name == "*") star = !weight_is_zero(params);
    }
    return star;
}

std::optional<caldav::Response> web_app_response(std::string_view method, std::string_view path,
                                                 std::string_view accept_encoding) {
    if (method != "GET" && method != "HEAD") return std::nullopt;
    bool page = path == "/" || path == "/index.html" || path == "/login";
    // The service worker keeps one name: its URL decides the pages it may serve (scope "/").
    if (!page && path != "/sw.js" && !path.starts_with("/assets/")) return std::nullopt;
    auto assets = web_assets();
    if (assets.empty()) {
        if (!page) return std::nullopt;
        caldav::Response r;
        r.headers.set("Content-Type", "text/plain; charset=utf-8");
        r.headers.set("Cache-Control", "no-cache");
        r.body = "This Kalends was built without its web app (no Node.js at build time).\n"
                 "Calendar clients connect at /dav/; apps use the JSON API at /api/v1/.\n";
        return r;
    }
    std::string_view wanted = page ? std::string_view("/") : path;
    for (const auto& a : assets)
        if (a.path == wanted) return asset_response(a, accept_encoding);
    caldav::Response r;
    r.status = 404;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.headers.set("Cache-Control", "no-cache");
    r.body = "no such file\n";
    return r;
}

}  // namespace server

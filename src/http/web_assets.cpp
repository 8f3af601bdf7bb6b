// Serving the embedded web app (src/http/web_assets.hpp). The policy allows
// this origin's scripts, styles, images and API only: no inline script, no
// third-party origin, no framing (CSP Level 3; RFC 9111 Cache-Control).
#include "src/http/web_assets.hpp"

namespace server {

namespace {

/// The page's Content-Security-Policy. FullCalendar sets element styles from
/// script (CSSOM), which style-src does not govern; web/build.mjs moves the
/// CSS it would inject as <style> into our stylesheet. Its icon font is a
/// data: URL inside that stylesheet.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

caldav::Response asset_response(const WebAsset& a) {
    caldav::Response r;
    r.headers.set("Content-Type", std::string(a.content_type));
    // Hashed names never change content; the page names the current ones.
    r.headers.set("Cache-Control", a.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    r.headers.set("Content-Security-Policy", std::string(content_security_policy));
    r.headers.set("X-Content-Type-Options", "nosniff");
    r.headers.set("Referrer-Policy", "no-referrer");
    r.headers.set("X-Frame-Options", "DENY");
    r.body = std::string(a.body);
    return r;
}

}  // namespace

std::optional<caldav::Response> web_app_response(std::string_view method, std::string_view path) {
    if (method != "GET" && method != "HEAD") return std::nullopt;
    bool page = path == "/" || path == "/index.html" || path == "/login";
    if (!page && !path.starts_with("/assets/")) return std::nullopt;
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
        if (a.path == wanted) return asset_response(a);
    caldav::Response r;
    r.status = 404;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.headers.set("Cache-Control", "no-cache");
    r.body = "no such file\n";
    return r;
}

}  // namespace server

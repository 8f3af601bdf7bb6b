// WebDAV-Push (draft-bitfire-webdav-push): push properties, push-register,
// and the push message body. Sending is src/push's (the "davpush" job).
#include "caldav/webdav_push.hpp"

#include <cctype>
#include <ctime>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/service.hpp"
#include "caldav/store_push.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

using xml::element;

/// Registrations are removed through the JSON API's subscription resource:
/// one table, one way to delete, the same authentication.
constexpr std::string_view registration_path = "/api/v1/push/subscriptions/";

bool is_base64url(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    for (char ch : text)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '+' && ch != '/')
            return false;
    return !text.empty();
}

std::string trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

[[noreturn]] void invalid(const std::string& why) { throw Error(403, Precondition::invalid_subscription, why); }

/// The web-push-subscription of a push-register body, checked.
PushSubscription subscription_of(const xml::Element& root, const DavPushSettings& settings) {
    const auto* sub = root.child(push_ns, "subscription");
    const auto* web = sub ? sub->child(push_ns, "web-push-subscription") : nullptr;
    if (!web) invalid("push-register needs a subscription with a web-push-subscription");
    const auto* resource = web->child(push_ns, "push-resource");
    const auto* key = web->child(push_ns, "subscription-public-key");
    const auto* auth = web->child(push_ns, "auth-secret");
    if (!resource || !key || !auth)
        invalid("a web-push-subscription needs push-resource, subscription-public-key and auth-secret");
    if (const auto* coding = web->child(push_ns, "content-encoding"); coding && trimmed(coding->text) != "aes128gcm")
        invalid("the only content-encoding offered is aes128gcm (RFC 8291)");
    if (auto type = key->attribute("type"); !type.empty() && type != "p256dh")
        invalid("the subscription-public-key must be of type p256dh");
    PushSubscription s;
    s.endpoint = trimmed(resource->text);
    s.p256dh = trimmed(key->text);
    s.auth = trimmed(auth->text);
    bool https = s.endpoint.starts_with("https://");
    bool http = settings.allow_http_endpoints && s.endpoint.starts_with("http://");
    if ((!https && !http) || s.endpoint.size() > 2048 ||
        s.endpoint.find_first_of(" \t\r\n") != std::string::npos)
        invalid("the push-resource must be an absolute https URL");
    // 65 and 16 bytes (RFC 8291 §2): 87 and 22 characters of base64url.
    if (!is_base64url(s.p256dh) || s.p256dh.size() < 86 || s.p256dh.size() > 88)
        invalid("the subscription-public-key is not a base64url P-256 point");
    if (!is_base64url(s.auth) || s.auth.size() < 22 || s.auth.size() > 24)
        invalid("the auth-secret is not 16 bytes of base64url");
    return s;
}

/// The absolute registration URL of subscription `id`.
std::string registration_url(const Context& ctx, std::int64_t id) {
    std::string base = ctx.push->public_base_url;
    if (base.empty()) {
        auto host = ctx.request.headers.get("Host").value_or("localhost");
        base = std::string(ctx.push->tls ? "https://" : "http://") + std::string(host);
    }
    while (base.ends_with('/')) base.pop_back();
    return base + std::string(registration_path) + std::to_string(id);
}

std::int64_t now_of(const DavPushSettings& s) {
    return s.now ? s.now() : static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

std::string push_topic(std::int64_t collection_id) { return "kalends-c" + std::to_string(collection_id); }

std::optional<std::string> push_transports_property(Context& ctx, const Resource&) {
    if (!ctx.push) return std::nullopt;
    std::string key = "<X:vapid-public-key xmlns:X=\"" + std::string(push_ns) + "\" type=\"p256ecdsa\">" +
                      xml::escape(ctx.push->vapid_public_key) + "</X:vapid-public-key>";
    return element(push_ns, "web-push", key);
}

std::optional<std::string> push_topic_property(Context& ctx, const Resource& r) {
    if (!ctx.push || !r.collection) return std::nullopt;
    return push_topic(r.collection->id);
}

std::optional<std::string> push_supported_triggers_property(Context& ctx, const Resource&) {
    if (!ctx.push) return std::nullopt;
    return element(push_ns, "content-update", xml::text_element("DAV:", "depth", "1"));
}

Response handle_push_register(Context& ctx) {
    if (!ctx.push || !ctx.push_store) {
        // Without push a calendar takes no POST at all, as before push existed.
        Response r = render_error(Error(405, "method POST is not allowed here"));
        r.headers.set("Allow", allowed_methods(ctx.target));
        return r;
    }
    if (!ctx.target.collection)
        throw Error(403, Precondition::push_not_available, "WebDAV-Push is offered on calendars");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(push_ns, "push-register"))
        throw Error(400, "POST on a calendar takes a WebDAV-Push push-register body");
    auto sub = subscription_of(root, *ctx.push);
    // Relaxed, as the draft asks: content updates at any depth are served at
    // depth 1; property updates are not offered, so alone they are refused.
    const auto* trigger = root.child(push_ns, "trigger");
    if (!trigger || !trigger->child(push_ns, "content-update"))
        throw Error(403, Precondition::no_supported_trigger, "only content-update triggers are offered");
    const auto now = now_of(*ctx.push);
    auto expires = now + ctx.push->max_expiry_seconds;
    if (const auto* e = root.child(push_ns, "expires")) {
        if (auto asked = parse_imf_fixdate(trimmed(e->text)); asked && *asked > now && *asked < expires)
            expires = *asked;
    }
    sub.owner_id = ctx.user.id;
    sub.collection_id = ctx.target.collection->id;
    sub.created_at = now;
    sub.expires_at = expires;
    auto status = ctx.push_store->put_push_subscription(sub);
    if (status == StoreStatus::not_found) throw Error(404, "the calendar is gone");
    if (status != StoreStatus::ok) throw Error(503, "the registration could not be stored; try again");
    Response r;
    r.status = 201;
    r.headers.set("Location", registration_url(ctx, sub.id));
    r.headers.set("Expires", http_date(sub.expires_at));
    return r;
}

std::string push_message(std::string_view topic, std::string_view sync_token) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<P:push-message xmlns:P=\"" + std::string(push_ns) +
           "\" xmlns:D=\"DAV:\"><P:topic>" + xml::escape(topic) + "</P:topic><P:content-update><D:sync-token>" +
           xml::escape(sync_token) + "</D:sync-token></P:content-update></P:push-message>";
}

std::optional<std::int64_t> parse_imf_fixdate(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    std::string s(text);
    const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0') return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace caldav

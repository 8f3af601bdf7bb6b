// /api/v1/push: the server's VAPID key and the caller's Web Push
// subscriptions (issue 26 §5; RFC 8030 push resources with the RFC 8291 keys
// a browser's PushSubscription.toJSON() gives). Push reminders go to every
// subscription of their recipient; DELETE also ends a WebDAV-Push
// registration, whose Location points here (caldav/webdav_push.cpp).
#include <algorithm>
#include <charconv>

#include <boost/json/array.hpp>

#include "caldav/store_push.hpp"
#include "ical/event_spec.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/push/web_push.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// Subscriptions one user may hold: enough for every browser and phone.
constexpr std::size_t max_subscriptions = 100;

caldav::PushStore& push_store(Call& call) {
    if (!call.push_store || !call.push) throw ApiError(404, "not-found", "push is not offered on this server");
    return *call.push_store;
}

json::object subscription_json(const caldav::PushSubscription& s) {
    json::object o;
    o["id"] = std::to_string(s.id);
    o["endpoint"] = s.endpoint;
    o["created_at"] = ical::format_rfc3339(s.created_at);
    o["last_delivered_at"] = s.last_ok ? json::value(ical::format_rfc3339(s.last_ok)) : json::value(nullptr);
    return o;
}

/// base64url `text` of `bytes` bytes (and, with `point`, an uncompressed
/// P-256 point); 422 naming `field` otherwise.
std::string checked_key(const std::string& text, std::size_t bytes, bool point, const std::string& field) {
    auto raw = push::base64url_decode(text);
    if (!raw || raw->size() != bytes || (point && (*raw)[0] != '\x04'))
        throw ApiError(422, "validation",
                       point ? "must be an uncompressed P-256 public key (65 bytes), base64url"
                             : "must be a 16-byte authentication secret, base64url",
                       field);
    return text;
}

std::int64_t subscription_id(const std::string& segment) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
    if (ec != std::errc() || end != segment.data() + segment.size() || id <= 0)
        throw ApiError(404, "not-found", "you have no push subscription with this id");
    return id;
}

}  // namespace

caldav::Response get_vapid_key(Call& call) {
    push_store(call);
    return json_response(200, json::object{{"key", call.push->vapid_public_key}});
}

caldav::Response list_push_subscriptions(Call& call) {
    json::array out;
    for (const auto& s : push_store(call).push_subscriptions_of(call.actor.principal.id))
        out.push_back(subscription_json(s));
    return json_response(200, json::object{{"subscriptions", std::move(out)}});
}

caldav::Response create_push_subscription(Call& call) {
    auto& store = push_store(call);
    auto body = call.body();
    Fields f(body);
    caldav::PushSubscription s;
    s.owner_id = call.actor.principal.id;
    s.endpoint = f.required_string("endpoint");
    if (auto why = push::endpoint_problem(s.endpoint, call.push->allow_http_endpoints); !why.empty())
        throw ApiError(422, "validation", why, "endpoint");
    const auto* keys = f.object("keys");
    if (!keys) throw ApiError(422, "validation", "keys with p256dh and auth are required", "keys");
    Fields k(*keys, "keys");
    s.p256dh = checked_key(k.required_string("p256dh"), 65, true, "keys.p256dh");
    s.auth = checked_key(k.required_string("auth"), 16, false, "keys.auth");
    s.created_at = call.now;
    auto existing = store.push_subscriptions_of(s.owner_id);
    bool known = std::any_of(existing.begin(), existing.end(), [&](const auto& e) { return e.endpoint == s.endpoint; });
    if (!known && existing.size() >= max_subscriptions)
        throw ApiError(422, "validation", "you have " + std::to_string(max_subscriptions) + " push subscriptions; delete one first",
                       "endpoint");
    if (store.put_push_subscription(s) != caldav::StoreStatus::ok)
        throw ApiError(503, "unavailable", "the subscription could not be stored");
    auto r = json_response(201, subscription_json(s));
    r.headers.set("Location", "/api/v1/push/subscriptions/" + std::to_string(s.id));
    return r;
}

caldav::Response delete_push_subscription(Call& call) {
    auto& store = push_store(call);
    auto status = store.remove_push_subscription(call.actor.principal.id, subscription_id(call.segments[2]));
    if (status == caldav::StoreStatus::not_found)
        throw ApiError(404, "not-found", "you have no push subscription with this id");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the subscription could not be removed");
    caldav::Response r;
    r.status = 204;
    return r;
}

}  // namespace server::api

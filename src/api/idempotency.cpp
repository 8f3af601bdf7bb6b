// Idempotency-Key on event creation (src/api/idempotency.hpp).
#include "src/api/idempotency.hpp"

#include <openssl/evp.h>

#include <cstdio>

#include "caldav/event_service.hpp"
#include "caldav/resource_path.hpp"
#include "ical/event_spec.hpp"
#include "src/api/api_error.hpp"
#include "src/api/event_json.hpp"

namespace server::api {

namespace {

/// SHA-256 of `text`, 32 bytes.
std::string sha256(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1 || size != 32)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string hex(const std::string& bytes) {
    std::string out;
    char buf[3];
    for (unsigned char b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        out += buf;
    }
    return out;
}

std::string request_hash(const Call& call) {
    return hex(sha256(call.request.method + '\n' + call.request.path + '\n' + call.request.body));
}

}  // namespace

std::optional<std::string> idempotency_key(const Call& call) {
    auto v = call.request.headers.get("Idempotency-Key");
    if (!v) return std::nullopt;
    std::string key(*v);
    // The draft's value is a Structured Field string: "…"; a bare token is taken too.
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
    bool ok = !key.empty() && key.size() <= 255;
    for (char c : key) ok = ok && c > 0x20 && c < 0x7f;
    if (!ok) throw ApiError(400, "invalid-request", "Idempotency-Key must be 1 to 255 visible ASCII characters");
    return key;
}

std::optional<caldav::Response> replayed(Call& call, const std::string& key) {
    auto record = call.actor.store.find_idempotency(call.actor.principal.id, key);
    if (!record || record->created_at < call.now - std::int64_t(call.config.idempotency_hours) * 3600)
        return std::nullopt;
    if (record->request_hash != request_hash(call))
        throw ApiError(422, "idempotency-key-reused", "this Idempotency-Key was sent with a different request");
    auto where = caldav::find_event(call.actor, record->body);
    if (!where) throw ApiError(404, "not-found", "the event this Idempotency-Key created has been deleted since");
    auto view = ical::read_event(where->object.text());
    if (!view) throw ApiError(500, "internal", "the stored event cannot be read back");
    auto out = event_json(*where, *view);
    out["conflicts"] = boost::json::array();
    auto r = json_response(record->status, out);
    r.headers.set("Location", "/api/v1/events/" + caldav::encode_segment(view->uid));
    r.headers.set("ETag", "\"" + where->object.etag + "\"");
    r.headers.set("Idempotent-Replayed", "true");
    return r;
}

std::string idempotent_uid(const Call& call, const std::string& key) {
    auto h = hex(sha256("kalends idempotency\n" + std::to_string(call.actor.principal.id) + "\n" + key));
    // Laid out as a name-based UUID (RFC 9562 §5.5 layout, version 5 nibble).
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-5" + h.substr(13, 3) + "-a" + h.substr(17, 3) + "-" +
           h.substr(20, 12);
}

caldav::IdempotencyRecord new_record(const Call& call, const std::string& key, const std::string& uid) {
    caldav::IdempotencyRecord r;
    r.principal_id = call.actor.principal.id;
    r.key = key;
    r.request_hash = request_hash(call);
    r.status = 201;
    r.body = uid;
    r.created_at = call.now;
    return r;
}

}  // namespace server::api

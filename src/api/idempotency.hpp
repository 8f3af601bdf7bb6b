// Idempotency-Key on POST /api/v1/events (issue 24; the IETF httpapi draft
// "The Idempotency-Key HTTP Header Field"): a retry of the same request gets
// the event the first one created instead of a second event.
#pragma once
#include <optional>
#include <string>

#include "caldav/message.hpp"
#include "caldav/write_set.hpp"
#include "src/api/api_call.hpp"

namespace server::api {

/// The request's Idempotency-Key (1 to 255 visible ASCII characters), or
/// nullopt when it sends none; 400 invalid-request for a malformed one.
std::optional<std::string> idempotency_key(const Call& call);

/// The answer to a retry of `key`: 201 with the event it created, as it is
/// now (Idempotent-Replayed: true); 422 idempotency-key-reused when the key
/// came with another request; nullopt when the key is new (or expired,
/// api.idempotency-hours).
std::optional<caldav::Response> replayed(Call& call, const std::string& key);

/// The UID an event created under `key` gets: derived from the caller and the
/// key, so that two concurrent requests with one key collide on the same
/// object instead of creating two.
std::string idempotent_uid(const Call& call, const std::string& key);

/// The record committed with the event (caldav::WriteSet::idempotency): the
/// request's hash, and the event's UID as its body.
caldav::IdempotencyRecord new_record(const Call& call, const std::string& key, const std::string& uid);

}  // namespace server::api

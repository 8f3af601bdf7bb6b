// /api/v1/sessions: the web app's sign-in (issue 28 §2). A session is a
// short-lived Bearer token (RFC 6750) stored in the user's access-token list
// like a personal access token, with its expiry in its own hashed text
// (src/http/authenticator.hpp). The password is checked by src/http as for
// Basic authentication (same failure counting and slow-down): src/http reads
// it from the body through session_login_authorization() below.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>

#include <boost/json/parse.hpp>

#include "ical/event_spec.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/http/authenticator.hpp"
#include "src/storage/account_store.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// Longest user name or password read from a sign-in body.
constexpr std::size_t max_credential_bytes = 1024;

/// The Bearer credentials of `request`, or empty.
std::string bearer_of(const caldav::Request& request) {
    auto value = request.headers.get("Authorization");
    if (!value || value->size() < 7 || !caldav::iequals(value->substr(0, 7), "Bearer ")) return {};
    std::string_view token = value->substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return std::string(token);
}

/// Revokes the caller's session tokens whose expiry has passed.
void sweep_expired(AccountStore& accounts, const std::string& user, std::int64_t now) {
    auto tokens = accounts.list_tokens(user);
    if (!tokens) return;
    for (const auto& t : *tokens) {
        std::int64_t expiry = 0;
        if (std::sscanf(t.name.c_str(), "session-%ld-", &expiry) == 1 && expiry <= now)
            accounts.revoke_token(user, t.name);
    }
}

AccountStore& accounts_of(Call& call) {
    if (!call.accounts) throw ApiError(503, "unavailable", "sign-in is not available on this server");
    return *call.accounts;
}

}  // namespace

std::optional<std::string> session_login_authorization(const caldav::Request& request) {
    if (request.method != "POST" || request.path != "/api/v1/sessions") return std::nullopt;
    if (request.body.size() > 4 * max_credential_bytes) return std::nullopt;
    boost::system::error_code ec;
    auto value = json::parse(request.body, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto* user = value.as_object().if_contains("user");
    const auto* password = value.as_object().if_contains("password");
    if (!user || !password || !user->is_string() || !password->is_string()) return std::nullopt;
    std::string pair = std::string(user->as_string()) + ":" + std::string(password->as_string());
    if (user->as_string().empty() || pair.size() > 2 * max_credential_bytes) return std::nullopt;
    std::string encoded(4 * ((pair.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                            reinterpret_cast<const unsigned char*>(pair.data()), static_cast<int>(pair.size()));
    encoded.resize(static_cast<std::size_t>(n));
    return "Basic " + encoded;
}

caldav::Response create_session(Call& call) {
    auto body = call.body();
    Fields f(body);
    // src/http authenticated these very credentials (session_login_authorization).
    f.required_string("user");
    f.required_string("password");
    auto& accounts = accounts_of(call);
    const auto& user = call.actor.principal.name;
    sweep_expired(accounts, user, call.now);
    // api.session-hours (default 12: a working day).
    auto expires_at = call.now + std::int64_t{3600} * call.config.session_hours;
    auto token = new_session_token(expires_at);
    auto status = accounts.add_token(user, session_token_name(token), hash_access_token(token));
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the session could not be stored");
    auto r = json_response(201, json::object{{"token", token},
                                             {"user", user},
                                             {"email", call.actor.principal.email},
                                             {"expires_at", ical::format_rfc3339(expires_at)}});
    r.headers.set("Cache-Control", "no-store");
    return r;
}

caldav::Response delete_session(Call& call) {
    auto token = bearer_of(call.request);
    if (!session_token_expiry(token))
        throw ApiError(400, "invalid-request", "sign out with the session token (Bearer) the session uses");
    auto status = accounts_of(call).revoke_token(call.actor.principal.name, session_token_name(token));
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "no such session");
    caldav::Response r;
    r.status = 204;
    return r;
}

}  // namespace server::api

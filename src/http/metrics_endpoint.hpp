// Who may read /metrics (issue 29 §1; man/kalends.conf.5 [metrics]).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace server {

/// The bearer token in `file` (surrounding white space removed); empty path:
/// empty token. Throws ConfigError naming the file when it cannot be read or
/// holds no token.
std::string load_metrics_token(const std::filesystem::path& file);

/// Whether a scrape from the client address `remote` with `authorization`
/// (the Authorization field, if any) may read /metrics. Without a configured
/// `token`, loopback clients only; with one, whoever sends "Bearer TOKEN",
/// loopback clients included (a host's other users reach loopback too).
/// The token is compared in constant time.
bool metrics_access_allowed(std::string_view remote, std::optional<std::string_view> authorization,
                            std::string_view token);

/// Points caldav::observers() at the process's metrics registry, so that
/// conflict checks and scheduling deliveries show in /metrics. Idempotent.
void observe_caldav_into_metrics();

}  // namespace server

// What SIGHUP changes in a running server: the config file read again and
// compared with what the server runs with (man/kalends.8, SIGNALS).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/config/config.hpp"

namespace server {

/// The outcome of reading the config file again.
struct ReloadPlan {
    /// The file read afresh; empty when it could not be read (`error` says
    /// why), and then nothing but the TLS files and the token file is reloaded.
    std::optional<Config> fresh;
    std::vector<std::string> apply;    ///< changed keys to apply now (reloadable_setting)
    std::vector<std::string> restart;  ///< changed keys that take effect only after a restart
    std::string error;
};

/// Remembers the settings the server started with and tells, at each
/// reload, which changed. Not thread-safe: called from the signal handler only.
class SettingsReload {
public:
    /// `running`: the configuration the server started with; no file: every
    /// reload finds nothing changed.
    explicit SettingsReload(const Config& running);

    /// Reads the file again. Keys to apply count as running from now on;
    /// keys needing a restart are reported again at every reload until then.
    ReloadPlan next();

private:
    std::optional<std::filesystem::path> file_;
    std::map<std::string, std::string> running_;
};

/// "a, b and c" for a log line; "nothing" for none.
std::string join_keys(const std::vector<std::string>& keys);

}  // namespace server

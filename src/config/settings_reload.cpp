// SIGHUP: the config file read again, split into settings applied at once and
// settings that need a restart (see reloadable_setting in config.hpp).
#include "src/config/settings_reload.hpp"

namespace server {

SettingsReload::SettingsReload(const Config& running) : file_(running.file) {
    // The file was read moments ago at start; unreadable now means no baseline.
    if (file_) {
        try {
            running_ = config_file_values(*file_);
        } catch (const ConfigError&) {
        }
    }
}

ReloadPlan SettingsReload::next() {
    ReloadPlan plan;
    if (!file_) {
        plan.fresh.emplace();
        return plan;
    }
    std::map<std::string, std::string> now;
    try {
        now = config_file_values(*file_);
        Config fresh;
        fresh.file = file_;
        read_config_file(*file_, fresh);
        plan.fresh = std::move(fresh);
    } catch (const ConfigError& e) {
        plan.error = e.what();
        return plan;
    }
    auto changed = [&](const std::string& key) {
        auto a = running_.find(key);
        auto b = now.find(key);
        return (a == running_.end()) != (b == now.end()) || (a != running_.end() && a->second != b->second);
    };
    std::vector<std::string> keys;
    for (const auto& [k, v] : running_) keys.push_back(k);
    for (const auto& [k, v] : now)
        if (!running_.count(k)) keys.push_back(k);
    for (const auto& k : keys) {
        if (!changed(k)) continue;
        if (reloadable_setting(k)) {
            plan.apply.push_back(k);
            if (auto it = now.find(k); it != now.end()) running_[k] = it->second;
            else running_.erase(k);
        } else {
            plan.restart.push_back(k);
        }
    }
    return plan;
}

std::string join_keys(const std::vector<std::string>& keys) {
    if (keys.empty()) return "nothing";
    std::string out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out += i + 1 == keys.size() ? " and " : ", ";
        out += keys[i];
    }
    return out;
}

}  // namespace server

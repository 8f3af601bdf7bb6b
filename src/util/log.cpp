// Levelled, timestamped log lines to stderr or an append-only file.
#include "src/util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <string>

namespace server::log {

namespace {

std::atomic<Level> min_level{Level::info};
std::mutex out_mutex;
std::FILE* out = nullptr;  // nullptr = stderr

const char* level_name(Level l) {
    switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
    }
    return "?";
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
    if (name == "debug") return Level::debug;
    if (name == "info") return Level::info;
    if (name == "warn") return Level::warn;
    if (name == "error") return Level::error;
    return std::nullopt;
}

void configure(Level level, const std::filesystem::path& file) {
    std::lock_guard lock(out_mutex);
    if (!file.empty()) {
        std::FILE* f = std::fopen(file.c_str(), "a");
        if (!f) throw std::runtime_error(file.string() + ": cannot open log file");
        if (out) std::fclose(out);
        out = f;
    }
    min_level = level;
}

bool enabled(Level level) { return level >= min_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) {
    if (!enabled(level)) return;
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms.count()));
    // Client-controlled text (user names, targets) must not forge log lines.
    std::string clean(message);
    for (auto& c : clean)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    std::lock_guard lock(out_mutex);
    std::FILE* f = out ? out : stderr;
    std::fprintf(f, "%s %s %s\n", stamp, level_name(level), clean.c_str());
    std::fflush(f);
}

}  // namespace server::log

// Levelled, timestamped log lines to stderr or an append-only file, as text
// or as JSON lines (one object per line, RFC 8259) for log collectors.
#include "src/util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace server::log {

namespace {

std::atomic<Level> min_level{Level::info};
std::atomic<Format> out_format{Format::text};
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

const char* json_level_name(Level l) {
    switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    }
    return "?";
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms.count()));
    return stamp;
}

/// The JSON line; the serializer escapes control characters, so client text
/// cannot forge a line here either.
std::string json_line(const std::string& stamp, Level level, std::string_view message,
                      const std::vector<Field>& fields) {
    boost::json::object o;
    o["time"] = stamp;
    o["level"] = json_level_name(level);
    o["message"] = message;
    for (const auto& f : fields)
        std::visit([&](const auto& v) { o[f.name] = v; }, f.value);
    return boost::json::serialize(o);
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
    if (name == "debug") return Level::debug;
    if (name == "info") return Level::info;
    if (name == "warn") return Level::warn;
    if (name == "error") return Level::error;
    return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    return std::nullopt;
}

void configure(Level level, const std::filesystem::path& file, Format format) {
    std::lock_guard lock(out_mutex);
    if (!file.empty()) {
        std::FILE* f = std::fopen(file.c_str(), "a");
        if (!f) throw std::runtime_error(file.string() + ": cannot open log file");
        if (out) std::fclose(out);
        out = f;
    }
    min_level = level;
    out_format = format;
}

void reconfigure(Level level, Format format) {
    std::lock_guard lock(out_mutex);
    min_level = level;
    out_format = format;
}

bool enabled(Level level) { return level >= min_level.load(std::memory_order_relaxed); }

Format format() { return out_format.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message, const std::vector<Field>& fields) {
    if (!enabled(level)) return;
    auto stamp = timestamp();
    std::string line;
    if (out_format.load(std::memory_order_relaxed) == Format::json) {
        line = json_line(stamp, level, message, fields);
    } else {
        // Client-controlled text (user names, targets) must not forge log lines.
        line = stamp + " " + level_name(level) + " ";
        line.append(message);
        for (auto i = line.size() - message.size(); i < line.size(); ++i)
            if (static_cast<unsigned char>(line[i]) < 0x20 || line[i] == 0x7f) line[i] = '?';
    }
    line += '\n';
    std::lock_guard lock(out_mutex);
    std::FILE* f = out ? out : stderr;
    std::fwrite(line.data(), 1, line.size(), f);
    std::fflush(f);
}

}  // namespace server::log

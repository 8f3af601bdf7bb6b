// Process-wide logging: levelled lines to stderr or a file, as text or as one
// JSON object per line ([log] format, kalends.conf(5)), safe from any thread.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace server::log {

/// Severity of a line; lines below the configured level are dropped.
enum class Level { debug, info, warn, error };

/// How lines are written: "TIME LEVEL message" or a JSON object per line.
enum class Format { text, json };

/// A structured field of a line (request id, method, status, ...): in JSON
/// lines a member of its own, typed; text lines carry it in the message.
struct Field {
    std::string_view name;
    std::variant<std::string, std::int64_t, double> value;
};

/// Parses "debug", "info", "warn" or "error".
std::optional<Level> parse_level(std::string_view name);

/// Parses "text" or "json".
std::optional<Format> parse_format(std::string_view name);

/// Sets where lines go (empty path = stderr), the lowest level written and
/// the format. Throws std::runtime_error naming the file when it cannot be opened.
void configure(Level level, const std::filesystem::path& file = {}, Format format = Format::text);

/// Changes the level and format and keeps the destination (SIGHUP). Thread-safe.
void reconfigure(Level level, Format format);

/// True when lines of `level` are written (to skip building expensive ones).
bool enabled(Level level);

/// The format lines are written in now (fields are only worth building for JSON).
Format format();

/// Writes one line with a UTC timestamp and the level. Text lines are the
/// message alone; JSON lines have "time", "level", "message" and `fields`.
void write(Level level, std::string_view message, const std::vector<Field>& fields = {});

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace server::log

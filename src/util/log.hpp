// Process-wide logging: levelled lines to stderr or a file, safe from any thread.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace server::log {

/// Severity of a line; lines below the configured level are dropped.
enum class Level { debug, info, warn, error };

/// Parses "debug", "info", "warn" or "error".
std::optional<Level> parse_level(std::string_view name);

/// Sets where lines go (empty path = stderr) and the lowest level written.
/// Throws std::runtime_error naming the file when it cannot be opened.
void configure(Level level, const std::filesystem::path& file = {});

/// True when lines of `level` are written (to skip building expensive ones).
bool enabled(Level level);

/// Writes one line with a UTC timestamp and the level.
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace server::log

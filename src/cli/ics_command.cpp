// `kalends ics validate FILE` and `kalends ics expand FILE --from T --to T`:
// the iCalendar engine (ical/, issue 3) from the command line.
#include "src/cli/ics_command.hpp"

#include <cctype>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "ical/calendar_data.hpp"
#include "ical/expand.hpp"
#include "ical/zone_resolver.hpp"

namespace server {

namespace {

constexpr const char* ics_usage =
    "usage: kalends ics validate FILE\n"
    "       kalends ics expand FILE [--from T] [--to T] [--max-instances N]\n"
    "T is a UTC time: 20240105T150000Z, 2024-01-05T15:00:00Z or a date (20240105).\n";

int usage(const std::string& why) {
    std::cerr << "kalends ics: " << why << "\n" << ics_usage;
    return 2;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ostringstream text;
    if (path == "-") {
        text << std::cin.rdbuf();
        return text.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    text << in.rdbuf();
    return text.str();
}

/// Parses 20240105T150000Z, 2024-01-05T15:00:00Z, 20240105 or 2024-01-05 (UTC).
std::optional<std::int64_t> parse_time(std::string text) {
    std::string s;
    for (char c : text)
        if (c != '-' && c != ':') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool date = s.size() == 8;
    if (!date && !(s.size() == 16 && s[8] == 'T' && s[15] == 'Z')) return std::nullopt;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != 8 && i != 15 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    icaltimetype t = icaltime_from_string(date ? s.c_str() : s.c_str());
    if (icaltime_is_null_time(t) || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return std::nullopt;
    return ical::wall_seconds(t);
}

/// An instance time as `kalends ics expand` prints it.
std::string format_time(std::int64_t t, const ical::Instance& inst) {
    std::string s = ical::format_utc(t);
    if (inst.all_day) return s.substr(0, 8);
    if (inst.floating) s.pop_back();  // floating: no Z, the reader's zone applies
    return s;
}

int validate(const std::vector<std::string>& args) {
    if (args.size() != 2) return usage("validate takes one FILE");
    const std::string& path = args[1];
    auto text = read_file(path);
    if (!text) {
        std::cerr << "kalends ics: cannot read " << path << "\n";
        return 1;
    }
    auto errors = ical::validate_calendar(*text);
    for (const auto& e : errors)
        std::cout << path << ":" << (e.line > 0 ? std::to_string(e.line) + ":" : std::string()) << " " << e.message
                  << "\n";
    if (errors.empty()) std::cout << path << ": valid\n";
    return errors.empty() ? 0 : 1;
}

int expand(const std::vector<std::string>& args) {
    std::optional<std::string> path;
    std::optional<std::int64_t> from, to;
    ical::ExpandLimits limits;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--from" || a == "--to" || a == "--max-instances") {
            if (i + 1 >= args.size()) return usage(a + " needs a value");
            const std::string& v = args[++i];
            if (a == "--max-instances") {
                try {
                    limits.max_instances = std::stoul(v);
                } catch (const std::exception&) {
                    return usage("--max-instances needs a number");
                }
                continue;
            }
            auto t = parse_time(v);
            if (!t) return usage("not a UTC time: " + v);
            (a == "--from" ? from : to) = t;
        } else if (!path && (a == "-" || !a.starts_with("--"))) {
            path = a;
        } else {
            return usage("unexpected argument " + a);
        }
    }
    if (!path) return usage("expand needs a FILE");
    if (from && to && *from >= *to) return usage("--from must be before --to");
    auto text = read_file(*path);
    if (!text) {
        std::cerr << "kalends ics: cannot read " << *path << "\n";
        return 1;
    }
    auto result = ical::expand(*text, from, to, limits);
    if (result.error) {
        std::cerr << *path << ":" << (result.error->line > 0 ? std::to_string(result.error->line) + ":" : "") << " "
                  << result.error->message << "\n";
        return 1;
    }
    for (const auto& inst : result.instances)
        std::cout << format_time(inst.start, inst) << "\t" << format_time(inst.end, inst) << "\t"
                  << inst.recurrence_id << "\n";
    return 0;
}

}  // namespace

int run_ics_command(const std::vector<std::string>& args) {
    if (args.empty()) return usage("missing action");
    if (args[0] == "validate") return validate(args);
    if (args[0] == "expand") return expand(args);
    if (args[0] == "help" || args[0] == "--help") {
        std::cout << ics_usage;
        return 0;
    }
    return usage("unknown action '" + args[0] + "'");
}

}  // namespace server

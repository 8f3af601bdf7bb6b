// Reading just enough of WebDAV multistatus and iCalendar answers to check them
// against the workload (hrefs, sync tokens, instances, FREEBUSY periods; RFC 4918
// §14, RFC 5545 §3.8.2.6). Namespace prefixes vary by server, so elements are
// matched by local name.
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/http/workload.hpp"

namespace bench {

/// Whether `c` ends an element name in a start tag.
constexpr bool ends_name(char c) { return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\r' || c == '\n'; }

/// Calls `f` with the text of every element with local name `local` (e.g.
/// "href"), in order, as views into `xml`; an empty element gives "".
/// It looks for `local` itself and keeps the places where a start tag names
/// it ("<href", "<D:href", then a space, '/' or '>'): far fewer stops than
/// reading every tag of a large answer.
template <class F>
void for_each_element_text(std::string_view xml, std::string_view local, F&& f) {
    for (std::size_t at = xml.find(local); at != std::string_view::npos; at = xml.find(local, at + 1)) {
        const std::size_t after = at + local.size();
        if (at == 0 || after >= xml.size() || !ends_name(xml[after])) continue;
        std::size_t lt = at - 1;  // the tag's '<', before any prefix
        if (xml[lt] == ':')
            while (lt > 0 && xml[lt] != '<' && !ends_name(xml[lt])) --lt;
        if (xml[lt] != '<') continue;  // text, an end tag, or a longer name
        std::size_t open_end = xml.find('>', after);
        if (open_end == std::string_view::npos) break;
        if (xml[open_end - 1] == '/') {
            f(std::string_view());
            continue;
        }
        std::size_t close = xml.find('<', open_end);
        if (close == std::string_view::npos) break;
        f(xml.substr(open_end + 1, close - open_end - 1));
        at = close;  // the next search starts after `close`
    }
}

/// Text of every element with local name `local`, in order.
inline std::vector<std::string> element_texts(std::string_view xml, std::string_view local) {
    std::vector<std::string> out;
    for_each_element_text(xml, local, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

/// Base names of the hrefs that name calendar objects ("ev17.ics"), sorted;
/// views into `xml`.
inline std::vector<std::string_view> object_name_views(std::string_view xml) {
    std::vector<std::string_view> out;
    for_each_element_text(xml, "href", [&](std::string_view h) {
        if (h.size() < 4 || h.substr(h.size() - 4) != ".ics") return;
        out.push_back(h.substr(h.rfind('/') + 1));
    });
    std::sort(out.begin(), out.end());
    return out;
}

/// Base names of the hrefs that name calendar objects ("ev17.ics").
inline std::multiset<std::string> object_names(std::string_view xml) {
    std::multiset<std::string> out;
    for (auto n : object_name_views(xml)) out.emplace_hint(out.end(), n);
    return out;
}

/// Occurrences of `needle` in `hay`.
inline std::size_t occurrences(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

/// UTC seconds of a basic-format "YYYYMMDDTHHMMSSZ"; nullopt for anything else.
inline std::optional<std::int64_t> parse_utc(const std::string& s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len) { return std::stoll(s.substr(at, len)); };
    try {
        std::int64_t days = detail::days_from_civil(num(0, 4), static_cast<unsigned>(num(4, 2)), static_cast<unsigned>(num(6, 2)));
        return days * 86400 + num(9, 2) * 3600 + num(11, 2) * 60 + num(13, 2);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// Seconds of an RFC 5545 §3.3.6 duration ("PT1H30M", "P1DT2H", "P1W").
inline std::optional<std::int64_t> parse_duration(const std::string& s) {
    if (s.empty() || s[0] != 'P') return std::nullopt;
    std::int64_t total = 0, n = 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
        else if (c == 'T') continue;
        else {
            std::int64_t unit = c == 'W' ? 604800 : c == 'D' ? 86400 : c == 'H' ? 3600 : c == 'M' ? 60 : c == 'S' ? 1 : -1;
            if (unit < 0) return std::nullopt;
            total += n * unit;
            n = 0;
        }
    }
    return total;
}

/// The union of all busy FREEBUSY periods in a VFREEBUSY answer (unfolded,
/// periods as start/end or start/duration), merged; nullopt if one does not parse.
inline std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> busy_periods(std::string ics) {
    for (std::size_t p; (p = ics.find("\r\n ")) != std::string::npos;) ics.erase(p, 3);
    for (std::size_t p; (p = ics.find("\n ")) != std::string::npos;) ics.erase(p, 2);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    std::size_t pos = 0;
    while (pos < ics.size()) {
        auto e = ics.find('\n', pos);
        std::string line = ics.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
        pos = e == std::string::npos ? ics.size() : e + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.compare(0, 8, "FREEBUSY") != 0) continue;
        auto colon = line.find(':');
        if (colon == std::string::npos) return std::nullopt;
        std::string params = line.substr(8, colon - 8);
        if (params.find("FBTYPE=FREE") != std::string::npos) continue;
        std::string values = line.substr(colon + 1) + ",";
        for (std::size_t a = 0, b; (b = values.find(',', a)) != std::string::npos; a = b + 1) {
            std::string period = values.substr(a, b - a);
            auto slash = period.find('/');
            if (slash == std::string::npos) return std::nullopt;
            auto start = parse_utc(period.substr(0, slash));
            std::string rest = period.substr(slash + 1);
            std::optional<std::int64_t> end = rest[0] == 'P' ? std::optional<std::int64_t>() : parse_utc(rest);
            if (!end && start)
                if (auto d = parse_duration(rest)) end = *start + *d;
            if (!start || !end) return std::nullopt;
            out.emplace_back(*start, *end);
        }
    }
    merge_periods(out);
    return out;
}

}  // namespace bench

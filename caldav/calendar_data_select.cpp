// calendar-data selection (RFC 4791 §9.6): parsing the request element and
// subsetting stored objects line by line, so what is kept stays byte-identical.
#include "caldav/calendar_data_select.hpp"

#include <algorithm>
#include <cctype>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/xml/multistatus.hpp"
#include "ical/expand.hpp"
#include "ical/query_filter.hpp"

namespace caldav {

namespace {

using names::caldav_ns;

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

CompSelection parse_comp(const xml::Element& e, int depth) {
    if (depth > 8) throw Error(400, "calendar-data comp elements nest too deeply");
    CompSelection c;
    c.name = upper(e.attribute("name"));
    if (c.name.empty()) throw Error(400, "CALDAV:comp needs a name attribute");
    for (const auto& child : e.children) {
        if (child.ns != caldav_ns) continue;
        if (child.local == "allprop") {
            c.all_props = true;
        } else if (child.local == "allcomp") {
            c.all_comps = true;
        } else if (child.local == "prop") {
            CompSelection::Prop p{upper(child.attribute("name")), child.attribute("novalue") == "yes"};
            if (p.name.empty()) throw Error(400, "CALDAV:prop needs a name attribute");
            c.props.push_back(std::move(p));
        } else if (child.local == "comp") {
            c.comps.push_back(parse_comp(child, depth + 1));
        }
    }
    return c;
}

UtcInterval parse_interval(const xml::Element& e) {
    auto start = ical::parse_utc(e.attribute("start"));
    auto end = ical::parse_utc(e.attribute("end"));
    if (!start || !end || *end <= *start)
        throw Error(400, "CALDAV:" + e.local + " needs UTC start and end attributes, end after start");
    return {*start, *end};
}

/// A content line: its unfolded text (for decisions) and raw text (for output).
struct Line {
    std::string unfolded;
    std::string_view raw;  ///< with its folds and line ending
};

/// Splits `ics` into content lines; continuation lines (RFC 5545 §3.1) join the
/// line before them.
std::vector<Line> content_lines(std::string_view ics) {
    std::vector<Line> out;
    std::size_t pos = 0;
    while (pos < ics.size()) {
        std::size_t begin = pos;
        std::string unfolded;
        for (;;) {
            std::size_t nl = ics.find('\n', pos);
            std::size_t stop = nl == std::string_view::npos ? ics.size() : nl;
            std::size_t text_end = stop > pos && ics[stop - 1] == '\r' ? stop - 1 : stop;
            unfolded.append(ics.substr(pos, text_end - pos));
            pos = nl == std::string_view::npos ? ics.size() : nl + 1;
            if (pos < ics.size() && (ics[pos] == ' ' || ics[pos] == '\t')) {
                ++pos;  // the fold's whitespace is not part of the value
                continue;
            }
            break;
        }
        out.push_back({std::move(unfolded), ics.substr(begin, pos - begin)});
    }
    return out;
}

/// The property name of an unfolded line (up to ';' or ':'), upper case.
std::string property_name(std::string_view line) {
    auto stop = line.find_first_of(";:");
    return upper(line.substr(0, stop));
}

/// The line up to its first ':' outside a quoted parameter value, plus ':'.
std::string without_value(std::string_view line) {
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '"') quoted = !quoted;
        if (line[i] == ':' && !quoted) return std::string(line.substr(0, i + 1)) + "\r\n";
    }
    return std::string(line) + ":\r\n";
}

/// How a component is treated: dropped, kept whole, or kept as a selection says.
struct Level {
    enum Mode { drop, keep_all, select } mode;
    const CompSelection* selection = nullptr;
};

/// RFC 4791 §9.6.7: keeps only the FREEBUSY periods of VFREEBUSY components
/// that overlap [start, end); a FREEBUSY line keeps its overlapping periods.
std::string limit_freebusy(std::string_view ics, std::int64_t start, std::int64_t end) {
    std::string out;
    int in_freebusy = 0;
    for (const auto& line : content_lines(ics)) {
        const auto& text = line.unfolded;
        auto name = property_name(text);
        if (name == "BEGIN" && upper(text.substr(6)) == "VFREEBUSY") ++in_freebusy;
        if (name == "END" && upper(text.substr(4)) == "VFREEBUSY") --in_freebusy;
        if (!in_freebusy || name != "FREEBUSY") {
            out.append(line.raw);
            continue;
        }
        auto colon = text.find(':');
        std::string kept;
        std::string_view periods = std::string_view(text).substr(colon == std::string::npos ? text.size() : colon + 1);
        while (!periods.empty()) {
            auto comma = periods.find(',');
            auto period = periods.substr(0, comma);
            periods = comma == std::string_view::npos ? std::string_view() : periods.substr(comma + 1);
            auto slash = period.find('/');
            auto p_start = ical::parse_utc(period.substr(0, slash));
            std::optional<std::int64_t> p_end;
            if (slash != std::string_view::npos) {
                auto rest = period.substr(slash + 1);
                p_end = ical::parse_utc(rest);
                if (!p_end && p_start) {
                    // A duration (P...): kept when its start is in range, its end is unknown here.
                    if (*p_start < end) kept += (kept.empty() ? "" : ",") + std::string(period);
                    continue;
                }
            }
            if (!p_start || !p_end || (*p_start < end && *p_end > start))
                kept += (kept.empty() ? "" : ",") + std::string(period);
        }
        if (!kept.empty()) out += text.substr(0, colon + 1) + kept + "\r\n";
    }
    return out;
}

}  // namespace

DataSelection parse_data_selection(const xml::Element& e) {
    auto type = e.attribute("content-type");
    auto version = e.attribute("version");
    if ((!type.empty() && !iequals(type, "text/calendar")) || (!version.empty() && version != "2.0"))
        throw Error(403, Precondition::supported_calendar_data, "calendar-data is available as text/calendar 2.0 only");
    DataSelection s;
    for (const auto& child : e.children) {
        if (child.ns != caldav_ns) continue;
        if (child.local == "comp") {
            s.comp = parse_comp(child, 0);
        } else if (child.local == "expand") {
            s.expand = parse_interval(child);
        } else if (child.local == "limit-recurrence-set") {
            s.limit_recurrence_set = parse_interval(child);
        } else if (child.local == "limit-freebusy-set") {
            s.limit_freebusy_set = parse_interval(child);
        }
    }
    return s;
}

std::string select_components(std::string_view ics, const CompSelection& selection) {
    std::string out;
    out.reserve(ics.size());
    std::vector<Level> stack;
    for (const auto& line : content_lines(ics)) {
        const auto& text = line.unfolded;
        auto name = property_name(text);
        Level::Mode current = stack.empty() ? Level::drop : stack.back().mode;
        if (name == "BEGIN") {
            auto comp = upper(text.substr(text.find(':') == std::string::npos ? text.size() : text.find(':') + 1));
            Level next{Level::drop, nullptr};
            if (stack.empty()) {
                if (comp == selection.name) next = {Level::select, &selection};
            } else if (current == Level::keep_all) {
                next = {Level::keep_all, nullptr};
            } else if (current == Level::select) {
                const auto* parent = stack.back().selection;
                if (parent->all_comps) {
                    next = {Level::keep_all, nullptr};
                } else {
                    for (const auto& c : parent->comps)
                        if (c.name == comp) next = {Level::select, &c};
                }
            }
            stack.push_back(next);
            if (next.mode != Level::drop) out.append(line.raw);
            continue;
        }
        if (name == "END") {
            if (stack.empty()) continue;
            if (stack.back().mode != Level::drop) out.append(line.raw);
            stack.pop_back();
            continue;
        }
        if (current == Level::keep_all) {
            out.append(line.raw);
        } else if (current == Level::select) {
            const auto* sel = stack.back().selection;
            if (sel->all_props) {
                out.append(line.raw);
                continue;
            }
            for (const auto& p : sel->props) {
                if (p.name != name) continue;
                if (p.novalue)
                    out += without_value(text);
                else
                    out.append(line.raw);
                break;
            }
        }
    }
    return out;
}

CalendarParts split_calendar(std::string_view ics) {
    CalendarParts parts;
    int depth = 0;
    bool in_timezone = false;
    std::string tz_text, tzid;
    for (const auto& line : content_lines(ics)) {
        auto name = property_name(line.unfolded);
        if (name == "BEGIN") {
            ++depth;
            if (depth == 2 && upper(line.unfolded.substr(6)) == "VTIMEZONE") in_timezone = true;
        }
        if (depth >= 2) {
            if (in_timezone) {
                tz_text.append(line.raw);
                if (depth == 2 && name == "TZID") tzid = line.unfolded.substr(line.unfolded.find(':') + 1);
            } else {
                parts.components.append(line.raw);
            }
        }
        if (name == "END") {
            if (depth == 2 && in_timezone) {
                parts.timezones.emplace_back(std::move(tzid), std::move(tz_text));
                tzid.clear();
                tz_text.clear();
                in_timezone = false;
            }
            --depth;
        }
    }
    return parts;
}

std::string render_calendar_data(std::string_view ics, const DataSelection& selection, const Limits& limits) {
    ical::ExpandLimits bounds;
    bounds.max_instances = limits.max_instances;
    std::string text(ics);
    auto apply = [&](ical::TextResult result) {
        if (result.error) throw Error(403, Precondition::max_instances, result.error->message);
        text = std::move(result.text);
    };
    if (selection.expand) {
        apply(ical::expand_to_ical(text, selection.expand->start, selection.expand->end, bounds));
    } else if (selection.limit_recurrence_set) {
        apply(ical::limit_recurrence_set(text, selection.limit_recurrence_set->start,
                                         selection.limit_recurrence_set->end, bounds));
    }
    if (selection.limit_freebusy_set)
        text = limit_freebusy(text, selection.limit_freebusy_set->start, selection.limit_freebusy_set->end);
    if (selection.comp) text = select_components(text, *selection.comp);
    return text;
}

void append_member_error(std::string& out, std::string_view encoded_href, const Error& error) {
    out += "<D:response>";
    out += xml::href(encoded_href);
    out += xml::text_element(names::dav_ns, "status", xml::status_line(error.status()));
    if (auto pre = name_of(error.precondition()); !pre.local.empty())
        out += xml::element(names::dav_ns, "error", xml::element(pre.ns, pre.local));
    out += xml::text_element(names::dav_ns, "responsedescription", error.description());
    out += "</D:response>";
}

}  // namespace caldav

// iCalendar text → libical components, with line-numbered errors (RFC 5545 §3.1).
#include "ical/calendar_data.hpp"

#include "ical/content_check.hpp"
#include "ical/object_index.hpp"

#include <cctype>
#include <unordered_set>

namespace ical {

namespace {

/// One unfolded content line and the physical line it starts on.
struct ContentLine {
    std::string text;
    int line = 0;
};

std::vector<ContentLine> unfold(std::string_view ics) {
    std::vector<ContentLine> out;
    int number = 0;
    while (!ics.empty()) {
        std::size_t nl = ics.find('\n');
        std::string_view raw = ics.substr(0, nl);
        ics = nl == std::string_view::npos ? std::string_view{} : ics.substr(nl + 1);
        ++number;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t') && !out.empty()) {
            out.back().text.append(raw.substr(1));  // RFC 5545 §3.1 folding
            continue;
        }
        if (raw.empty()) continue;
        out.push_back({std::string(raw), number});
    }
    return out;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// The property name of a content line ("" when it has none).
std::string name_of(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && is_name_char(text[i])) ++i;
    return upper(std::string_view(text).substr(0, i));
}

/// Content-line grammar (RFC 5545 §3.1) and BEGIN/END nesting, per line.
std::vector<Error> syntax_errors(const std::vector<ContentLine>& lines) {
    std::vector<Error> errors;
    std::vector<std::pair<std::string, int>> open;
    for (const ContentLine& l : lines) {
        std::string name = name_of(l.text);
        std::size_t i = name.size();
        if (name.empty() || i >= l.text.size() || (l.text[i] != ':' && l.text[i] != ';')) {
            errors.push_back({"line is not \"NAME[;PARAM=VALUE]:VALUE\"", l.line});
            continue;
        }
        bool quoted = false;
        std::size_t colon = std::string::npos;
        for (std::size_t j = i; j < l.text.size(); ++j) {
            if (l.text[j] == '"') quoted = !quoted;
            if (l.text[j] == ':' && !quoted) {
                colon = j;
                break;
            }
        }
        if (colon == std::string::npos) {
            errors.push_back({name + ": no ':' before the value", l.line});
            continue;
        }
        std::string value = upper(std::string_view(l.text).substr(colon + 1));
        if (name == "BEGIN") {
            open.emplace_back(value, l.line);
        } else if (name == "END") {
            if (open.empty() || open.back().first != value) {
                errors.push_back({"END:" + value + " does not close " +
                                      (open.empty() ? std::string("anything") : "BEGIN:" + open.back().first),
                                  l.line});
                if (!open.empty()) open.pop_back();
            } else {
                open.pop_back();
            }
        }
    }
    for (const auto& [component, line] : open) errors.push_back({"BEGIN:" + component + " is never closed", line});
    if (!lines.empty() && upper(lines.front().text) != "BEGIN:VCALENDAR")
        errors.insert(errors.begin(), Error{"the data does not start with BEGIN:VCALENDAR", lines.front().line});
    return errors;
}

/// The line of the first content line named by an upper-case word of `message`.
int line_for(const std::vector<ContentLine>& lines, std::string_view message) {
    std::size_t i = 0;
    while (i < message.size()) {
        while (i < message.size() && !std::isupper(static_cast<unsigned char>(message[i]))) ++i;
        std::size_t j = i;
        while (j < message.size() && (std::isupper(static_cast<unsigned char>(message[j])) || message[j] == '-')) ++j;
        if (j - i >= 3) {
            std::string_view word = message.substr(i, j - i);
            for (const ContentLine& l : lines)
                if (name_of(l.text) == word) return l.line;
        }
        i = j;
    }
    return 0;
}

/// The first X-LIC-ERROR libical left anywhere in the tree.
icalproperty* first_libical_error(icalcomponent* c) {
    if (icalproperty* e = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY)) return e;
    for (icalcomponent* s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        if (icalproperty* e = first_libical_error(s)) return e;
    return nullptr;
}

ParsedCalendar parse_lines(std::string_view ics, const std::vector<ContentLine>& lines, std::vector<Error>* all) {
    ParsedCalendar out;
    auto syntax = syntax_errors(lines);
    if (!syntax.empty()) {
        out.error = syntax.front();
        if (all) all->insert(all->end(), syntax.begin(), syntax.end());
        return out;
    }
    ComponentPtr root = parse_with_libical(ics);
    if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
        out.error = Error{"the data is not one VCALENDAR", 0};
    } else if (icalproperty* e = first_libical_error(root.get())) {
        std::string message = icalproperty_get_xlicerror(e) ? icalproperty_get_xlicerror(e) : "invalid iCalendar";
        out.error = Error{"invalid iCalendar: " + message, line_for(lines, message)};
    } else {
        out.calendar = std::move(root);
    }
    if (all && out.error) all->push_back(*out.error);
    return out;
}

}  // namespace

namespace {

/// Prefix an iana-token property name and its VALUE parameter get while
/// libical reads them (see parse_with_libical).
constexpr std::string_view iana_marker = "X-KALENDS-IANA-";

/// The property names libical has a kind for, upper case, built once.
/// icalproperty_string_to_kind compares a name with its whole table
/// (strcasecmp, a hundred-odd entries) and every line of every parse asks
/// (issue 24: 2% of a create's server time).
const std::unordered_set<std::string>& libical_property_names() {
    static const std::unordered_set<std::string> names = [] {
        std::unordered_set<std::string> out;
        for (int k = ICAL_ANY_PROPERTY; k < ICAL_NO_PROPERTY; ++k) {
            const char* name = icalproperty_kind_to_string(static_cast<icalproperty_kind>(k));
            if (name && *name) out.emplace(name);
        }
        return out;
    }();
    return names;
}

bool known_to_libical(std::string_view name) {
    std::string n(name);
    if (n.empty()) return true;  // not a property: the syntax check speaks
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (n == "BEGIN" || n == "END" || n.starts_with("X-")) return true;
    // A name outside the table is asked of libical itself (an alias, if any).
    return libical_property_names().contains(n) || icalproperty_string_to_kind(n.c_str()) != ICAL_NO_PROPERTY;
}

/// `ics` with every property libical does not know renamed X-KALENDS-IANA-NAME
/// and its VALUE parameter X-KALENDS-IANA-VALUE (so libical keeps the value
/// raw rather than re-escape it as TEXT on the way out).
std::string mark_unknown_properties(std::string_view ics) {
    std::string out;
    out.reserve(ics.size() + 64);
    while (!ics.empty()) {
        std::size_t nl = ics.find('\n');
        std::string_view line = ics.substr(0, nl == std::string_view::npos ? ics.size() : nl + 1);
        ics.remove_prefix(line.size());
        std::size_t i = 0;
        while (i < line.size() && is_name_char(line[i])) ++i;
        if (line.empty() || line[0] == ' ' || line[0] == '\t' || i == line.size() ||
            (line[i] != ';' && line[i] != ':') || known_to_libical(line.substr(0, i))) {
            out.append(line);
            continue;
        }
        out.append(iana_marker).append(line.substr(0, i));
        bool quoted = false;
        for (std::size_t j = i; j < line.size(); ++j) {
            char c = line[j];
            if (c == '"') quoted = !quoted;
            if (!quoted && c == ':') {
                out.append(line.substr(j));
                break;
            }
            if (!quoted && c == ';' && j + 7 <= line.size()) {
                std::string p(line.substr(j + 1, 6));
                for (char& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                if (p == "VALUE=") {
                    out.append(";").append(iana_marker);
                    continue;
                }
            }
            out.push_back(c);
        }
    }
    return out;
}

/// Gives the properties renamed by mark_unknown_properties their names back.
void restore_unknown_properties(icalcomponent* c) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
        const char* name = icalproperty_get_x_name(p);
        if (!name || !std::string_view(name).starts_with(iana_marker)) continue;
        std::string real(std::string_view(name).substr(iana_marker.size()));
        icalproperty_set_x_name(p, real.c_str());
        for (icalparameter* q = icalproperty_get_first_parameter(p, ICAL_X_PARAMETER); q;
             q = icalproperty_get_next_parameter(p, ICAL_X_PARAMETER)) {
            const char* x = icalparameter_get_xname(q);
            if (x && std::string_view(x).starts_with(iana_marker))
                icalparameter_set_xname(q, std::string(std::string_view(x).substr(iana_marker.size())).c_str());
        }
    }
    for (icalcomponent* s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        restore_unknown_properties(s);
}

/// libical keeps parameters it does not know (as IANA parameters) rather than
/// drop them; set once, before any thread parses.
[[maybe_unused]] const bool keep_unknown_parameters = [] {
    ical_set_unknown_token_handling_setting(ICAL_ASSUME_IANA_TOKEN);
    return true;
}();

}  // namespace

ComponentPtr parse_with_libical(std::string_view ics) {
    icalerror_set_errors_are_fatal(0);
    std::string text = mark_unknown_properties(ics);
    ComponentPtr root(icalparser_parse_string(text.c_str()));
    if (root) restore_unknown_properties(root.get());
    return root;
}

bool clones_faithfully(icalcomponent* calendar) {
    for (icalproperty* p = icalcomponent_get_first_property(calendar, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(calendar, ICAL_X_PROPERTY)) {
        // What TEXT escaping would change (RFC 5545 §3.3.11); a plain value
        // ("push") comes out of a clone as it went in.
        const char* value = icalproperty_get_value_as_string(p);
        if (!value || std::string_view(value).find_first_of(",;\\\n") != std::string_view::npos) return false;
    }
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(calendar, ICAL_ANY_COMPONENT))
        if (!clones_faithfully(c)) return false;
    return true;
}

ParsedCalendar parse_calendar(std::string_view ics) {
    try {
        return parse_lines(ics, unfold(ics), nullptr);
    } catch (const std::exception& e) {  // allocation failure: nothing crosses ical/
        ParsedCalendar out;
        out.error = Error{std::string("cannot parse: ") + e.what(), 0};
        return out;
    }
}

std::vector<Error> validate_calendar(std::string_view ics) {
    std::vector<Error> errors;
    try {
        if (auto bad = check_characters(ics)) return {*bad};
        auto lines = unfold(ics);
        ParsedCalendar parsed = parse_lines(ics, lines, &errors);
        if (!parsed.calendar) return errors;
        IndexResult r = index_object(ics, 10000);
        if (r.error) errors.push_back({r.error->message, r.error->line ? r.error->line : line_for(lines, r.error->message)});
    } catch (const std::exception& e) {
        errors.push_back({std::string("cannot validate: ") + e.what(), 0});
    }
    return errors;
}

std::vector<icalcomponent*> calendar_components(icalcomponent* calendar) {
    std::vector<icalcomponent*> out;
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(calendar, ICAL_ANY_COMPONENT)) {
        auto k = icalcomponent_isa(c);
        if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT || k == ICAL_VJOURNAL_COMPONENT ||
            k == ICAL_VFREEBUSY_COMPONENT || k == ICAL_VAVAILABILITY_COMPONENT)
            out.push_back(c);
    }
    return out;
}

}  // namespace ical

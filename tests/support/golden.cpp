// Golden-file transcripts (STYLE.md §6): parser, canonical XML comparator with
// placeholders, and the expectation rewriter behind --update-golden.
#include "tests/support/golden.hpp"

#include <algorithm>
#include <functional>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <pugixml.hpp>

namespace test_support::golden {

namespace {

constexpr std::string_view dav_ns = "DAV:";

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string normalise_newlines(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out += s[i];
    }
    return out;
}

std::string strip_trailing_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string cur;
    std::istringstream in(text);
    while (std::getline(in, cur)) lines.push_back(cur);
    return lines;
}

std::string join(const std::vector<std::string>& lines, std::size_t from, std::size_t to, const char* sep = "\n") {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        if (i > from) out += sep;
        out += lines[i];
    }
    return out;
}

// ---- placeholders ----------------------------------------------------------

struct Segment {
    enum Kind { literal, any, capture } kind;
    std::string text;  ///< literal text, or the capture key "kind:id"
};

std::vector<Segment> segments(const std::string& pattern) {
    static const std::regex placeholder(R"(\{(any|[a-z][a-z0-9_-]*:[A-Za-z0-9_-]+)\})");
    std::vector<Segment> out;
    auto begin = std::sregex_iterator(pattern.begin(), pattern.end(), placeholder);
    std::size_t pos = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        auto at = static_cast<std::size_t>(it->position(0));
        if (at > pos) out.push_back({Segment::literal, pattern.substr(pos, at - pos)});
        std::string inner = (*it)[1].str();
        out.push_back({inner == "any" ? Segment::any : Segment::capture, inner});
        pos = at + static_cast<std::size_t>(it->length(0));
    }
    if (pos < pattern.size()) out.push_back({Segment::literal, pattern.substr(pos)});
    return out;
}

bool match_from(const std::vector<Segment>& segs, std::size_t i, const std::string& text, std::size_t pos,
                Captures& captures) {
    if (i == segs.size()) return pos == text.size();
    const auto& s = segs[i];
    auto bound = s.kind == Segment::capture ? captures.find(s.text) : captures.end();
    if (s.kind == Segment::literal || bound != captures.end()) {
        const std::string& lit = s.kind == Segment::literal ? s.text : bound->second;
        if (text.compare(pos, lit.size(), lit) != 0) return false;
        return match_from(segs, i + 1, text, pos + lit.size(), captures);
    }
    // {any} may be empty; a capture takes at least one character. Shortest first,
    // so `"{etag:e1}"` captures up to the first closing quote.
    for (std::size_t end = pos + (s.kind == Segment::capture ? 1 : 0); end <= text.size(); ++end) {
        Captures trial = captures;
        if (s.kind == Segment::capture) trial[s.text] = text.substr(pos, end - pos);
        if (match_from(segs, i + 1, text, end, trial)) {
            captures = std::move(trial);
            return true;
        }
    }
    return false;
}

// ---- canonical XML ------------------------------------------------------------

struct Node {
    bool is_text = false;
    std::string name;  ///< Clark notation "{ns}local", or the text for text nodes
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<Node> children;
};

std::string namespace_of(pugi::xml_node node, const std::string& prefix) {
    std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    for (auto n = node; n; n = n.parent()) {
        if (n.type() != pugi::node_element) continue;
        if (auto a = n.attribute(attr.c_str())) return a.value();
    }
    return {};
}

std::string clark(pugi::xml_node scope, const std::string& qname, bool is_attribute) {
    auto colon = qname.find(':');
    if (colon == std::string::npos) {
        // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
        return is_attribute ? qname : "{" + namespace_of(scope, "") + "}" + qname;
    }
    return "{" + namespace_of(scope, qname.substr(0, colon)) + "}" + qname.substr(colon + 1);
}

const std::string dav_response = "{DAV:}response";
const std::string dav_href = "{DAV:}href";
const std::string dav_prop = "{DAV:}prop";
const std::string dav_propstat = "{DAV:}propstat";
const std::string dav_status = "{DAV:}status";

std::string child_text(const Node& n, const std::string& name) {
    for (const auto& c : n.children)
        if (!c.is_text && c.name == name)
            for (const auto& t : c.children)
                if (t.is_text) return t.name;
    return {};
}

/// Sorts the subsequence of children called `name` by `key`, leaving the others in place.
void sort_children(Node& n, const std::string& name, const std::function<std::string(const Node&)>& key) {
    std::vector<std::size_t> at;
    std::vector<Node> picked;
    for (std::size_t i = 0; i < n.children.size(); ++i)
        if (!n.children[i].is_text && n.children[i].name == name) {
            at.push_back(i);
            picked.push_back(n.children[i]);
        }
    std::stable_sort(picked.begin(), picked.end(), [&](const Node& a, const Node& b) { return key(a) < key(b); });
    for (std::size_t k = 0; k < at.size(); ++k) n.children[at[k]] = std::move(picked[k]);
}

Node convert(pugi::xml_node e) {
    Node n;
    n.name = clark(e, e.name(), false);
    for (auto a : e.attributes()) {
        std::string qn = a.name();
        if (qn == "xmlns" || qn.rfind("xmlns:", 0) == 0) continue;
        n.attributes.emplace_back(clark(e, qn, true), a.value());
    }
    std::sort(n.attributes.begin(), n.attributes.end());
    std::string text;
    auto flush = [&] {
        auto t = trim(text);
        if (!t.empty()) n.children.push_back(Node{true, t, {}, {}});
        text.clear();
    };
    for (auto c : e.children()) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
            text += c.value();
        } else if (c.type() == pugi::node_element) {
            flush();
            n.children.push_back(convert(c));
        }
    }
    flush();
    sort_children(n, dav_response, [](const Node& r) { return child_text(r, dav_href); });
    sort_children(n, dav_propstat, [](const Node& p) { return child_text(p, dav_status); });
    if (n.name == dav_prop)
        std::stable_sort(n.children.begin(), n.children.end(),
                         [](const Node& a, const Node& b) { return a.name < b.name; });
    return n;
}

std::optional<Node> parse_xml(const std::string& xml, std::string& error) {
    pugi::xml_document doc;
    auto r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata);
    if (!r) {
        error = std::string(r.description()) + " at offset " + std::to_string(r.offset);
        return std::nullopt;
    }
    auto root = doc.document_element();
    if (!root) {
        error = "no root element";
        return std::nullopt;
    }
    return convert(root);
}

std::string escape_text(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else out += c;
    }
    return out;
}

void render(const Node& n, int depth, std::string& out) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    if (n.is_text) {
        out += "\"" + escape_text(n.name) + "\"\n";
        return;
    }
    out += n.name;
    for (const auto& [k, v] : n.attributes) out += " " + k + "=\"" + v + "\"";
    out += "\n";
    for (const auto& c : n.children) render(c, depth + 1, out);
}

bool match_node(const Node& exp, const Node& act, Captures& captures, const std::string& path, std::string& where) {
    if (exp.is_text != act.is_text || (!exp.is_text && exp.name != act.name)) {
        where = path + ": expected " + (exp.is_text ? "text \"" + escape_text(exp.name) + "\"" : exp.name) +
                ", got " + (act.is_text ? "text \"" + escape_text(act.name) + "\"" : act.name);
        return false;
    }
    if (exp.is_text) {
        if (match_text(exp.name, act.name, captures)) return true;
        where = path + ": expected text \"" + escape_text(exp.name) + "\", got \"" + escape_text(act.name) + "\"";
        return false;
    }
    std::string here = path + "/" + exp.name;
    if (exp.attributes.size() != act.attributes.size()) {
        where = here + ": attribute count differs";
        return false;
    }
    for (std::size_t i = 0; i < exp.attributes.size(); ++i) {
        if (exp.attributes[i].first != act.attributes[i].first ||
            !match_text(exp.attributes[i].second, act.attributes[i].second, captures)) {
            where = here + ": attribute " + exp.attributes[i].first + " differs";
            return false;
        }
    }
    if (exp.children.size() == 1 && exp.children[0].is_text && exp.children[0].name == "{any}") return true;
    for (std::size_t i = 0; i < std::min(exp.children.size(), act.children.size()); ++i)
        if (!match_node(exp.children[i], act.children[i], captures, here + "[" + std::to_string(i + 1) + "]", where))
            return false;
    if (exp.children.size() != act.children.size()) {
        where = here + ": expected " + std::to_string(exp.children.size()) + " children, got " +
                std::to_string(act.children.size());
        return false;
    }
    return true;
}

bool is_xml_body(const std::string& body) {
    auto t = trim(body);
    return !t.empty() && t.front() == '<';
}

std::string pretty_xml(const std::string& xml) {
    pugi::xml_document doc;
    if (!doc.load_buffer(xml.data(), xml.size())) return strip_trailing_newlines(normalise_newlines(xml));
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return strip_trailing_newlines(normalise_newlines(out.str()));
}

std::string reason_phrase(int status) {
    static const std::map<int, std::string> reasons{
        {200, "OK"}, {201, "Created"}, {204, "No Content"}, {207, "Multi-Status"},
        {301, "Moved Permanently"}, {302, "Found"}, {304, "Not Modified"}, {400, "Bad Request"},
        {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
        {408, "Request Timeout"}, {409, "Conflict"}, {412, "Precondition Failed"},
        {413, "Payload Too Large"}, {415, "Unsupported Media Type"}, {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
        {507, "Insufficient Storage"}};
    auto it = reasons.find(status);
    return it == reasons.end() ? std::string() : it->second;
}

std::optional<std::string> header_value(const Actual& actual, const std::string& name) {
    std::optional<std::string> out;
    for (const auto& [k, v] : actual.headers) {
        if (lower(k) != lower(name)) continue;
        out = out ? *out + ", " + v : v;
    }
    return out;
}

std::string pretty_header_name(const std::string& lower_name) {
    static const std::map<std::string, std::string> special{
        {"dav", "DAV"}, {"etag", "ETag"}, {"www-authenticate", "WWW-Authenticate"}};
    if (auto it = special.find(lower_name); it != special.end()) return it->second;
    std::string out = lower_name;
    bool up = true;
    for (auto& c : out) {
        if (up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        up = c == '-';
    }
    return out;
}

}  // namespace

bool match_text(const std::string& pattern, const std::string& text, Captures& captures) {
    return match_from(segments(pattern), 0, text, 0, captures);
}

std::string canonical_xml(const std::string& xml) {
    std::string error;
    auto n = parse_xml(xml, error);
    if (!n) return "unparsable XML: " + error;
    std::string out;
    render(*n, 0, out);
    return out;
}

std::optional<std::string> compare_xml(const std::string& expected, const std::string& actual, Captures& captures) {
    std::string error;
    auto e = parse_xml(expected, error);
    if (!e) return "the expected body is not XML: " + error;
    auto a = parse_xml(actual, error);
    if (!a) return "the response body is not XML (" + error + "):\n" + actual;
    Captures trial = captures;
    std::string where;
    if (match_node(*e, *a, trial, "", where)) {
        captures = std::move(trial);
        return std::nullopt;
    }
    std::string exp_text, act_text;
    render(*e, 0, exp_text);
    render(*a, 0, act_text);
    return "XML differs at " + where + "\n--- expected (canonical)\n" + exp_text + "--- actual (canonical)\n" +
           act_text;
}

File parse_file(const std::string& text) {
    auto lines = split_lines(normalise_newlines(text));
    File f;
    std::size_t i = 0;
    for (; i < lines.size() && !lines[i].empty() && lines[i][0] == '#'; ++i) {
        f.header_lines.push_back(lines[i]);
        static const std::regex field(R"(^#\s*(name|spec|setup):\s*(.*?)\s*$)");
        std::smatch m;
        if (std::regex_match(lines[i], m, field)) {
            if (m[1] == "name") f.name = m[2];
            else if (m[1] == "spec") f.spec = m[2];
            else f.setup.push_back(m[2]);
        }
    }
    // Blocks separated by "====", each "request ---- response".
    std::vector<std::pair<std::size_t, std::size_t>> blocks;
    std::size_t start = i;
    for (; i <= lines.size(); ++i) {
        if (i == lines.size() || lines[i] == "====") {
            blocks.emplace_back(start, i);
            start = i + 1;
        }
    }
    for (auto [from, to] : blocks) {
        while (from < to && trim(lines[from]).empty()) ++from;
        while (to > from && trim(lines[to - 1]).empty()) --to;
        if (from == to) continue;
        std::size_t sep = from;
        while (sep < to && lines[sep] != "----") ++sep;
        if (sep == to)
            throw std::runtime_error("line " + std::to_string(from + 1) + ": exchange without a '----' line");
        Exchange x;
        x.request = join(lines, from, sep);
        std::size_t r = sep + 1;
        while (r < to && trim(lines[r]).empty()) ++r;
        if (r < to) {
            x.has_expectation = true;
            static const std::regex status(R"(^HTTP/\d(\.\d)? (\d{3})( .*)?$)");
            std::smatch m;
            if (!std::regex_match(lines[r], m, status))
                throw std::runtime_error("line " + std::to_string(r + 1) + ": expected a status line, got '" +
                                         lines[r] + "'");
            x.expected.status_line = lines[r];
            x.expected.status = std::stoi(m[2]);
            std::size_t h = r + 1;
            for (; h < to && !lines[h].empty(); ++h) {
                auto colon = lines[h].find(':');
                if (colon == std::string::npos)
                    throw std::runtime_error("line " + std::to_string(h + 1) + ": not a header line");
                x.expected.headers.emplace_back(trim(lines[h].substr(0, colon)), trim(lines[h].substr(colon + 1)));
            }
            if (h < to) x.expected.body = strip_trailing_newlines(join(lines, h + 1, to));
        }
        f.exchanges.push_back(std::move(x));
    }
    return f;
}

std::string format_file(const File& file) {
    std::string out;
    for (const auto& l : file.header_lines) out += l + "\n";
    for (std::size_t i = 0; i < file.exchanges.size(); ++i) {
        const auto& x = file.exchanges[i];
        out += i == 0 ? "" : "====\n";
        out += strip_trailing_newlines(x.request) + "\n----\n";
        if (!x.has_expectation) continue;
        out += x.expected.status_line + "\n";
        for (const auto& [k, v] : x.expected.headers) out += k + ": " + v + "\n";
        if (!x.expected.body.empty()) out += "\n" + x.expected.body + "\n";
    }
    return out;
}

std::vector<std::string> compare_response(const Expected& expected, const Actual& actual, Captures& captures) {
    std::vector<std::string> diffs;
    if (expected.status != actual.status)
        diffs.push_back("status: expected " + std::to_string(expected.status) + ", got " +
                        std::to_string(actual.status));
    for (const auto& [name, pattern] : expected.headers) {
        auto value = header_value(actual, name);
        if (!value) diffs.push_back("header " + name + ": missing (expected '" + pattern + "')");
        else if (!match_text(pattern, *value, captures))
            diffs.push_back("header " + name + ": expected '" + pattern + "', got '" + *value + "'");
    }
    std::string body = strip_trailing_newlines(normalise_newlines(actual.body));
    if (is_xml_body(expected.body)) {
        if (auto d = compare_xml(expected.body, body, captures)) diffs.push_back("body: " + *d);
    } else if (!match_text(expected.body, body, captures)) {
        diffs.push_back("body: expected\n" + expected.body + "\n--- got\n" + body);
    }
    return diffs;
}

Expected update_expectation(const std::optional<Expected>& old, const Actual& actual, Captures& captures) {
    Expected e;
    e.status = actual.status;
    e.status_line = "HTTP/1.1 " + std::to_string(actual.status);
    if (auto reason = actual.reason.empty() ? reason_phrase(actual.status) : actual.reason; !reason.empty())
        e.status_line += " " + reason;
    if (old) {
        for (const auto& [name, pattern] : old->headers) {
            auto value = header_value(actual, name);
            if (!value) continue;
            e.headers.emplace_back(name, match_text(pattern, *value, captures) ? pattern : *value);
        }
    } else {
        for (std::string name : {"content-type", "dav", "allow", "location", "www-authenticate", "etag"})
            if (auto value = header_value(actual, name)) e.headers.emplace_back(pretty_header_name(name), *value);
    }
    std::string body = strip_trailing_newlines(normalise_newlines(actual.body));
    bool keep = false;
    if (old) {
        Captures trial = captures;
        keep = is_xml_body(old->body) ? !compare_xml(old->body, body, trial).has_value()
                                      : match_text(old->body, body, trial);
        if (keep) captures = std::move(trial);
    }
    e.body = keep ? old->body : is_xml_body(body) ? pretty_xml(body) : body;
    return e;
}

std::string request_method(const std::string& request) {
    auto text = trim(request);
    return text.substr(0, text.find(' '));
}

std::string build_request(const std::string& request, const Captures& captures,
                          const std::map<std::string, std::string>& credentials) {
    auto substitute = [&](const std::string& s) {
        std::string out;
        for (const auto& seg : segments(s)) {
            if (seg.kind == Segment::literal) {
                out += seg.text;
            } else if (seg.kind == Segment::any) {
                throw std::runtime_error("{any} cannot appear in a request");
            } else {
                auto it = captures.find(seg.text);
                if (it == captures.end())
                    throw std::runtime_error("{" + seg.text + "} used in a request before it was captured");
                out += it->second;
            }
        }
        return out;
    };
    auto lines = split_lines(normalise_newlines(request));
    std::size_t blank = 0;
    while (blank < lines.size() && !lines[blank].empty()) ++blank;
    if (lines.empty()) throw std::runtime_error("empty request");
    std::string request_line = substitute(lines[0]);
    if (request_line.find(" HTTP/") == std::string::npos) request_line += " HTTP/1.1";
    std::string head = request_line + "\r\n";
    bool has_host = false, has_length = false;
    for (std::size_t i = 1; i < blank; ++i) {
        auto colon = lines[i].find(':');
        std::string name = lower(trim(lines[i].substr(0, colon)));
        std::string value = colon == std::string::npos ? "" : trim(lines[i].substr(colon + 1));
        if (name == "host") has_host = true;
        if (name == "content-length" || name == "transfer-encoding") has_length = true;
        if (name == "authorization" && value.size() > 2 && value.front() == '{' && value.back() == '}') {
            auto it = credentials.find(value.substr(1, value.size() - 2));
            if (it == credentials.end()) throw std::runtime_error("unknown user in '" + lines[i] + "'");
            head += "Authorization: " + it->second + "\r\n";
            continue;
        }
        head += substitute(lines[i]) + "\r\n";
    }
    std::size_t body_end = lines.size();
    while (body_end > blank + 1 && lines[body_end - 1].empty()) --body_end;
    std::string body = blank + 1 < body_end ? substitute(join(lines, blank + 1, body_end, "\r\n")) + "\r\n" : "";
    if (!has_host) head += "Host: localhost\r\n";
    auto method = request_method(request_line);
    if (!has_length && (!body.empty() || method == "PUT" || method == "POST"))
        head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return head + "\r\n" + body;
}

}  // namespace test_support::golden

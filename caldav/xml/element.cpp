// Request-body XML: pugixml parsing plus namespace resolution (XML Namespaces 1.0).
#include "caldav/xml/element.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <pugixml.hpp>

#include "caldav/error.hpp"

namespace caldav::xml {

namespace {

/// The namespace bindings in force, shared by the whole tree: each prefix
/// ("" = default) maps to a stack of URIs, the innermost binding on top, and
/// each element pops what it pushed. Lookups and bindings cost O(1) however
/// many declarations are in force (issue 22 item 3: copying a map into every
/// child cost quadratic time).
class Scopes {
public:
    Scopes() { bind("xml", "http://www.w3.org/XML/1998/namespace"); }
    void bind(std::string_view prefix, std::string_view uri) {
        auto it = stacks_.find(prefix);
        if (it == stacks_.end()) it = stacks_.emplace(std::string(prefix), std::vector<std::string_view>{}).first;
        it->second.push_back(uri);
        pushed_.push_back(&it->second);
    }
    /// The URI bound to `prefix`, or nullptr when none is.
    const std::string_view* find(std::string_view prefix) const {
        auto it = stacks_.find(prefix);
        return it == stacks_.end() || it->second.empty() ? nullptr : &it->second.back();
    }
    std::size_t mark() const { return pushed_.size(); }
    /// Removes the bindings made since `mark`.
    void unwind(std::size_t mark) {
        while (pushed_.size() > mark) {
            pushed_.back()->pop_back();
            pushed_.pop_back();
        }
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::vector<std::string_view>, Hash, std::equal_to<>> stacks_;
    std::vector<std::vector<std::string_view>*> pushed_;  // stacks_ nodes are stable
};

/// Length of the character at `p` when it is one XML 1.0 §2.2 allows
/// (Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]),
/// in well-formed UTF-8; 0 otherwise.
std::size_t allowed_char_length(const unsigned char* p, const unsigned char* end) {
    const unsigned c = p[0];
    if (c < 0x80) return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    auto cont = [&](std::size_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        const unsigned cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        const unsigned cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
        return cp >= 0x10000 && cp <= 0x10FFFF ? 4 : 0;
    }
    return 0;
}

/// Throws 400 when `text` holds a character XML 1.0 forbids (or is not UTF-8).
void require_xml_chars(std::string_view text, std::string_view where) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        if (*p >= 0x20 && *p < 0x80) {
            ++p;
            continue;
        }
        const auto n = allowed_char_length(p, end);
        if (n == 0)
            throw Error(400, "XML body holds a character XML 1.0 forbids (XML 1.0 §2.2) in " + std::string(where));
        p += n;
    }
}

struct Builder {
    const Limits& limits;
    std::size_t elements = 0;
    std::size_t attributes = 0;
    Scopes scopes;

    Element build(const pugi::xml_node& node, std::size_t depth, const std::shared_ptr<const std::string>& parent_lang) {
        if (depth > limits.max_xml_depth)
            throw Error(400, "XML body nested deeper than limits.xml-depth");
        if (++elements > limits.max_xml_elements)
            throw Error(400, "XML body has more elements than limits.xml-elements");
        Element e;
        e.lang = parent_lang;
        const auto mark = scopes.mark();
        for (auto a : node.attributes()) {
            // Namespace declarations count too: they cost as much as any attribute.
            if (++attributes > limits.max_xml_attributes)
                throw Error(400, "XML body has more attributes than limits.xml-attributes");
            std::string_view name = a.name();
            require_xml_chars(a.value(), "an attribute value");
            if (name == "xml:lang")
                e.lang = std::make_shared<const std::string>(a.value());
            else if (name == "xmlns")
                scopes.bind("", a.value());
            else if (name.starts_with("xmlns:")) {
                // Namespaces in XML 1.0 §3: a prefix cannot be bound to the empty name.
                if (std::string_view(a.value()).empty())
                    throw Error(400, "XML body binds the prefix '" + std::string(name.substr(6)) +
                                         "' to no namespace");
                scopes.bind(name.substr(6), a.value());
            }
        }
        std::string_view qname = node.name();
        auto colon = qname.find(':');
        std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
        e.local = colon == std::string_view::npos ? std::string(qname)
                                                  : std::string(qname.substr(colon + 1));
        if (const auto* uri = scopes.find(prefix)) {
            e.ns = *uri;
        } else if (!prefix.empty()) {
            throw Error(400, "XML body uses the undeclared prefix '" + std::string(prefix) + "'");
        }
        for (auto a : node.attributes()) {
            std::string_view name = a.name();
            if (name != "xmlns" && !name.starts_with("xmlns:") &&
                name.find(':') == std::string_view::npos)
                e.attributes.emplace_back(a.name(), a.value());
        }
        for (auto c : node.children()) {
            if (c.type() == pugi::node_element) {
                e.children.push_back(build(c, depth + 1, e.lang));
            } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
                // pugixml decodes character references such as &#1; without
                // checking them: XML 1.0 §4.1 (WFC: Legal Character).
                require_xml_chars(c.value(), "character data");
                e.text += c.value();
            }
        }
        scopes.unwind(mark);
        return e;
    }
};

void write(const Element& e, std::string& out, const std::string& parent_ns, const std::string* parent_lang) {
    out += "<" + e.local;
    if (e.ns != parent_ns) out += " xmlns=\"" + escape(e.ns) + "\"";
    if (e.lang.get() != parent_lang) out += " xml:lang=\"" + escape(e.lang ? *e.lang : std::string()) + "\"";
    for (const auto& [k, v] : e.attributes) out += " " + k + "=\"" + escape(v) + "\"";
    if (e.children.empty() && e.text.empty()) {
        out += "/>";
        return;
    }
    out += ">";
    out += escape(e.text);
    for (const auto& c : e.children) write(c, out, e.ns, e.lang.get());
    out += "</" + e.local + ">";
}

}  // namespace

const Element* Element::child(std::string_view n, std::string_view l) const {
    for (const auto& c : children)
        if (c.is(n, l)) return &c;
    return nullptr;
}

std::string Element::attribute(std::string_view name) const {
    for (const auto& [k, v] : attributes)
        if (k == name) return v;
    return {};
}

std::string Element::to_string() const {
    std::string out;
    // The root always declares its namespace (even "" for no namespace).
    out += "<" + local + " xmlns=\"" + escape(ns) + "\"";
    // RFC 4918 §4.3: a property's language, even one set on an ancestor such
    // as DAV:prop, is kept with its value.
    if (lang) out += " xml:lang=\"" + escape(*lang) + "\"";
    for (const auto& [k, v] : attributes) out += " " + k + "=\"" + escape(v) + "\"";
    if (children.empty() && text.empty()) return out + "/>";
    out += ">";
    out += escape(text);
    for (const auto& c : children) write(c, out, ns, lang.get());
    return out + "</" + local + ">";
}

Element parse(std::string_view body, const Limits& limits) {
    pugi::xml_document doc;
    auto result =
        doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) throw Error(400, std::string("malformed XML body: ") + result.description());
    auto root = doc.document_element();
    if (!root) throw Error(400, "XML body has no root element");
    // Raw bytes XML 1.0 §2.2 forbids (controls, U+FFFE, bytes that are not
    // UTF-8), also in comments and processing instructions the tree drops.
    require_xml_chars(body, "the body");
    Builder b{limits, 0, 0, Scopes{}};
    return b.build(root, 1, nullptr);
}

namespace {

constexpr std::uint64_t byte_ones = 0x0101010101010101ULL;
constexpr std::uint64_t byte_highs = 0x8080808080808080ULL;

/// Nonzero exactly when some byte of `word` is `c` (the SWAR zero-byte test).
constexpr std::uint64_t has_byte(std::uint64_t word, unsigned char c) {
    std::uint64_t x = word ^ (byte_ones * c);
    return (x - byte_ones) & ~x & byte_highs;
}

/// Nonzero exactly when some byte of `word` is below `n` (n <= 128), exact up
/// to the first such byte.
constexpr std::uint64_t has_less(std::uint64_t word, unsigned char n) {
    return (word - byte_ones * n) & ~word & byte_highs;
}

/// The high bit of each byte of the 8 at `p` that needs a look (a markup
/// character, a control or a byte of a multi-byte character), exact up to the
/// first such byte (borrows only mark bytes after a match).
std::uint64_t special_bytes(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return has_byte(w, '<') | has_byte(w, '>') | has_byte(w, '&') | has_byte(w, '"') |
           has_less(w, 0x20) | (w & byte_highs);
}

/// Offset of the first marked byte in a nonzero special_bytes() mask.
std::size_t first_marked(std::uint64_t mask) {
    if constexpr (std::endian::native == std::endian::little) return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    else return static_cast<std::size_t>(std::countl_zero(mask)) / 8;
}

std::string_view entity_of(char c) {
    switch (c) {
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        case '&':
            return "&amp;";
        case '"':
            return "&quot;";
        case '\r':
            return "&#13;";  // else XML readers fold CRLF to LF
        default:
            return {};
    }
}

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

/// Handles the flagged byte at `p`: markup becomes an entity, an allowed
/// character stays in the pending run starting at `run`, and what XML 1.0
/// cannot carry becomes U+FFFD. Returns the number of bytes consumed.
std::size_t escape_one(std::string& out, const char* p, const char* end, const char*& run) {
    if (auto entity = entity_of(*p); !entity.empty()) {
        out.append(run, static_cast<std::size_t>(p - run)).append(entity);
        run = p + 1;
        return 1;
    }
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    const auto n = allowed_char_length(u, reinterpret_cast<const unsigned char*>(end));
    if (n != 0) return n;
    // XML 1.0 §2.2 has no way to write controls, U+FFFE/U+FFFF or stray bytes,
    // not even as references: data stored before they were refused (issue 22
    // item 4) is sent with each such byte replaced by U+FFFD, so the answer
    // stays well-formed.
    out.append(run, static_cast<std::size_t>(p - run)).append(replacement_character);
    run = p + 1;
    return 1;
}

}  // namespace

void escape_append(std::string& out, std::string_view text) {
    // Calendar data in reports runs through here byte for byte, and is mostly
    // plain: sixteen or eight bytes are tested at a time, and plain runs
    // copied at once.
    out.reserve(out.size() + text.size() + text.size() / 8);
    const char* p = text.data();
    const char* const end = p + text.size();
    const char* run = p;
#if defined(__SSE2__)
    // Sixteen bytes at a time (SSE2 is part of x86-64): the bytes to look at
    // as a bit mask, each handled in turn. A signed compare below 0x20 flags
    // both controls and the bytes of multi-byte characters.
    const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), amp = _mm_set1_epi8('&'),
                  quot = _mm_set1_epi8('"'), space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hits =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, quot)), _mm_cmplt_epi8(v, space)));
        const char* next = p;  // bytes before it were handled with an earlier hit
        for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0; mask &= mask - 1) {
            const char* hit = p + std::countr_zero(mask);
            if (hit < next) continue;
            next = hit + escape_one(out, hit, end, run);
        }
        p = std::max(p + 16, next);
    }
#endif
    // Eight bytes at a time, jumping straight to the first one to look at.
    while (end - p >= 8) {
        auto mask = special_bytes(p);
        if (mask == 0) {
            p += 8;
            continue;
        }
        p += first_marked(mask);
        p += escape_one(out, p, end, run);
    }
    while (p < end) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c < 0x80 && entity_of(*p).empty()) {
            ++p;
            continue;
        }
        p += escape_one(out, p, end, run);
    }
    out.append(run, static_cast<std::size_t>(end - run));
}

std::string escape(std::string_view text) {
    std::string out;
    escape_append(out, text);
    return out;
}

}  // namespace caldav::xml

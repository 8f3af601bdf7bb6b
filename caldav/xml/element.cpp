// Request-body XML: pugixml parsing plus namespace resolution (XML Namespaces 1.0).
#include "caldav/xml/element.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <pugixml.hpp>

#include "caldav/error.hpp"

namespace caldav::xml {

namespace {

using Scope = std::map<std::string, std::string>;  // prefix ("" = default) -> URI

struct Builder {
    const Limits& limits;
    std::size_t elements = 0;

    Element build(const pugi::xml_node& node, Scope scope, std::size_t depth) {
        if (depth > limits.max_xml_depth)
            throw Error(400, "XML body nested deeper than limits.xml-depth");
        if (++elements > limits.max_xml_elements)
            throw Error(400, "XML body has more elements than limits.xml-elements");
        Element e;
        for (auto a : node.attributes()) {
            std::string_view name = a.name();
            if (name == "xmlns")
                scope[""] = a.value();
            else if (name.starts_with("xmlns:")) {
                // Namespaces in XML 1.0 §3: a prefix cannot be bound to the empty name.
                if (std::string_view(a.value()).empty())
                    throw Error(400, "XML body binds the prefix '" + std::string(name.substr(6)) +
                                         "' to no namespace");
                scope[std::string(name.substr(6))] = a.value();
            }
        }
        std::string_view qname = node.name();
        auto colon = qname.find(':');
        std::string prefix =
            colon == std::string_view::npos ? "" : std::string(qname.substr(0, colon));
        e.local = colon == std::string_view::npos ? std::string(qname)
                                                  : std::string(qname.substr(colon + 1));
        auto it = scope.find(prefix);
        if (it == scope.end()) {
            if (!prefix.empty())
                throw Error(400, "XML body uses the undeclared prefix '" + prefix + "'");
        } else {
            e.ns = it->second;
        }
        for (auto a : node.attributes()) {
            std::string_view name = a.name();
            if (name != "xmlns" && !name.starts_with("xmlns:") &&
                name.find(':') == std::string_view::npos)
                e.attributes.emplace_back(a.name(), a.value());
        }
        for (auto c : node.children()) {
            if (c.type() == pugi::node_element) {
                e.children.push_back(build(c, scope, depth + 1));
            } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
                e.text += c.value();
            }
        }
        return e;
    }
};

void write(const Element& e, std::string& out, const std::string& parent_ns) {
    out += "<" + e.local;
    if (e.ns != parent_ns) out += " xmlns=\"" + escape(e.ns) + "\"";
    for (const auto& [k, v] : e.attributes) out += " " + k + "=\"" + escape(v) + "\"";
    if (e.children.empty() && e.text.empty()) {
        out += "/>";
        return;
    }
    out += ">";
    out += escape(e.text);
    for (const auto& c : e.children) write(c, out, e.ns);
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
    for (const auto& [k, v] : attributes) out += " " + k + "=\"" + escape(v) + "\"";
    if (children.empty() && text.empty()) return out + "/>";
    out += ">";
    out += escape(text);
    for (const auto& c : children) write(c, out, ns);
    return out + "</" + local + ">";
}

Element parse(std::string_view body, const Limits& limits) {
    pugi::xml_document doc;
    auto result =
        doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) throw Error(400, std::string("malformed XML body: ") + result.description());
    auto root = doc.document_element();
    if (!root) throw Error(400, "XML body has no root element");
    Builder b{limits};
    return b.build(root, Scope{{"xml", "http://www.w3.org/XML/1998/namespace"}}, 1);
}

namespace {

constexpr std::uint64_t byte_ones = 0x0101010101010101ULL;
constexpr std::uint64_t byte_highs = 0x8080808080808080ULL;

/// Nonzero exactly when some byte of `word` is `c` (the SWAR zero-byte test).
constexpr std::uint64_t has_byte(std::uint64_t word, unsigned char c) {
    std::uint64_t x = word ^ (byte_ones * c);
    return (x - byte_ones) & ~x & byte_highs;
}

/// The high bit of each byte of the 8 at `p` that needs escaping, exact up
/// to the first such byte (borrows only mark bytes after a match).
std::uint64_t special_bytes(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return has_byte(w, '<') | has_byte(w, '>') | has_byte(w, '&') | has_byte(w, '"') | has_byte(w, '\r');
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
    // Sixteen bytes at a time (SSE2 is part of x86-64): the bytes to replace
    // as a bit mask, each replaced in turn.
    const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), amp = _mm_set1_epi8('&'),
                  quot = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
    for (; end - p >= 16; p += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hits =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, quot)), _mm_cmpeq_epi8(v, cr)));
        for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0; mask &= mask - 1) {
            const char* hit = p + std::countr_zero(mask);
            out.append(run, static_cast<std::size_t>(hit - run)).append(entity_of(*hit));
            run = hit + 1;
        }
    }
#endif
    // Eight bytes at a time, jumping straight to the first one to replace.
    while (end - p >= 8) {
        auto mask = special_bytes(p);
        if (mask == 0) {
            p += 8;
            continue;
        }
        p += first_marked(mask);
        out.append(run, static_cast<std::size_t>(p - run)).append(entity_of(*p));
        run = ++p;
    }
    for (; p < end; ++p) {
        if (auto entity = entity_of(*p); !entity.empty()) {
            out.append(run, static_cast<std::size_t>(p - run)).append(entity);
            run = p + 1;
        }
    }
    out.append(run, static_cast<std::size_t>(end - run));
}

std::string escape(std::string_view text) {
    std::string out;
    escape_append(out, text);
    return out;
}

}  // namespace caldav::xml

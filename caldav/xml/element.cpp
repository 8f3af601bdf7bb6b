// Request-body XML: pugixml parsing plus namespace resolution (XML Namespaces 1.0).
#include "caldav/xml/element.hpp"

#include <array>
#include <map>

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
            if (name == "xmlns") scope[""] = a.value();
            else if (name.starts_with("xmlns:")) {
                // Namespaces in XML 1.0 §3: a prefix cannot be bound to the empty name.
                if (std::string_view(a.value()).empty())
                    throw Error(400, "XML body binds the prefix '" + std::string(name.substr(6)) + "' to no namespace");
                scope[std::string(name.substr(6))] = a.value();
            }
        }
        std::string_view qname = node.name();
        auto colon = qname.find(':');
        std::string prefix = colon == std::string_view::npos ? "" : std::string(qname.substr(0, colon));
        e.local = colon == std::string_view::npos ? std::string(qname) : std::string(qname.substr(colon + 1));
        auto it = scope.find(prefix);
        if (it == scope.end()) {
            if (!prefix.empty()) throw Error(400, "XML body uses the undeclared prefix '" + prefix + "'");
        } else {
            e.ns = it->second;
        }
        for (auto a : node.attributes()) {
            std::string_view name = a.name();
            if (name != "xmlns" && !name.starts_with("xmlns:") && name.find(':') == std::string_view::npos)
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
    auto result = doc.load_buffer(body.data(), body.size(),
                                  pugi::parse_default,
                                  pugi::encoding_utf8);
    if (!result) throw Error(400, std::string("malformed XML body: ") + result.description());
    auto root = doc.document_element();
    if (!root) throw Error(400, "XML body has no root element");
    Builder b{limits};
    return b.build(root, Scope{{"xml", "http://www.w3.org/XML/1998/namespace"}}, 1);
}

std::string escape(std::string_view text) {
    // Copies runs of plain text in one append: calendar data in reports is
    // mostly plain, and this runs over every byte of every answer.
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    static constexpr auto special = [] {
        std::array<bool, 256> t{};
        for (unsigned char c : std::string_view("<>&\"\r")) t[c] = true;
        return t;
    }();
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!special[static_cast<unsigned char>(text[i])]) continue;
        std::string_view entity;
        switch (text[i]) {
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '&': entity = "&amp;"; break;
        case '"': entity = "&quot;"; break;
        case '\r': entity = "&#13;"; break;
        default: continue;
        }
        out.append(text.data() + run, i - run).append(entity);
        run = i + 1;
    }
    return out.append(text.data() + run, text.size() - run);
}

}  // namespace caldav::xml

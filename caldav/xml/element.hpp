// A namespace-resolved XML tree for request bodies (pugixml does not resolve
// namespaces itself), parsed under the Limits on depth and element count.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/limits.hpp"

namespace caldav::xml {

/// One element: namespace URI, local name, attributes, text and children.
struct Element {
    std::string ns;
    std::string local;
    std::vector<std::pair<std::string, std::string>> attributes;  ///< unprefixed names only
    std::string text;  ///< concatenated character data directly inside
    std::vector<Element> children;
    /// xml:lang in scope, set here or inherited (RFC 4918 §4.3); null when
    /// none. Shared with the subtree, so a long value costs one copy.
    std::shared_ptr<const std::string> lang;

    /// True when this element is {ns}local.
    bool is(std::string_view n, std::string_view l) const { return ns == n && local == l; }
    /// The first child {ns}local, or nullptr.
    const Element* child(std::string_view n, std::string_view l) const;
    /// The value of an unprefixed attribute, or "" when absent.
    std::string attribute(std::string_view name) const;
    /// Serialises the element (and its subtree) back to XML with its namespaces
    /// declared on itself, and its xml:lang when one is in scope (RFC 4918
    /// §4.3): what dead properties store.
    std::string to_string() const;
};

/// Parses a request body. Throws caldav::Error 400 for malformed XML, an
/// unbound prefix, or a body deeper or larger than `limits` allow.
Element parse(std::string_view body, const Limits& limits);

/// Escapes text for use in XML character data or attribute values.
std::string escape(std::string_view text);
/// The same, appended to `out`.
void escape_append(std::string& out, std::string_view text);

}  // namespace caldav::xml

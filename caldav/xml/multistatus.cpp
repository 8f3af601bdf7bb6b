// 207 Multi-Status rendering (RFC 4918 §13, §14.16).
#include "caldav/xml/multistatus.hpp"

#include "caldav/names.hpp"
#include "caldav/xml/element.hpp"

namespace caldav::xml {

namespace {

std::string_view prefix_of(std::string_view ns) {
    if (ns == names::dav_ns) return "D";
    if (ns == names::caldav_ns) return "C";
    if (ns == names::calendarserver_ns) return "CS";
    if (ns == names::apple_ical_ns) return "A";
    return {};
}

std::string_view reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 424: return "Failed Dependency";
    case 500: return "Internal Server Error";
    case 507: return "Insufficient Storage";
    default: return "Unknown";
    }
}

/// Writes the non-empty propstats; false when there was none.
bool write_propstats(std::string& out, const Propstats& propstats) {
    bool any = false;
    for (const auto& ps : propstats) {
        if (ps.props.empty()) continue;
        any = true;
        out += "<D:propstat><D:prop>";
        for (const auto& p : ps.props) out += p;
        out.append("</D:prop><D:status>HTTP/1.1 ").append(std::to_string(ps.status)).append(" ");
        out.append(reason(ps.status)).append("</D:status>");
        if (!ps.error.empty()) out.append("<D:error>").append(ps.error).append("</D:error>");
        out += "</D:propstat>";
    }
    return any;
}

// RFC 4918 §14.24: a response holds either propstats or a status. When no
// property was asked for (sync-collection or principal-property-search with
// an empty DAV:prop) the member itself is reported with 200.
constexpr std::string_view no_properties_status = "<D:status>HTTP/1.1 200 OK</D:status>";

}  // namespace

std::string status_line(int status) {
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status));
}

void open_element(std::string& out, std::string_view ns, std::string_view local) {
    auto p = prefix_of(ns);
    if (p.empty()) {
        out.append("<X:").append(local).append(" xmlns:X=\"");
        escape_append(out, ns);
        out += '"';
        return;
    }
    out.append("<").append(p).append(":").append(local);
}

void close_element(std::string& out, std::string_view ns, std::string_view local) {
    auto p = prefix_of(ns);
    out.append("</").append(p.empty() ? std::string_view("X") : p).append(":").append(local).append(">");
}

void append_element(std::string& out, std::string_view ns, std::string_view local, std::string_view inner) {
    out.reserve(out.size() + 2 * (local.size() + 4) + inner.size() + (prefix_of(ns).empty() ? ns.size() + 12 : 0));
    open_element(out, ns, local);
    if (inner.empty()) {
        out.append("/>");
        return;
    }
    out.append(">").append(inner);
    close_element(out, ns, local);
}

std::string element(std::string_view ns, std::string_view local, std::string_view inner) {
    // One allocation: this runs for every property of every member listed.
    std::string out;
    append_element(out, ns, local, inner);
    return out;
}

std::string text_element(std::string_view ns, std::string_view local, std::string_view text) {
    return element(ns, local, escape(text));
}

std::string href(std::string_view encoded) { return "<D:href>" + escape(encoded) + "</D:href>"; }

Multistatus::Multistatus(std::string_view root) : root_(root) {
    out_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<" + root_ +
           " xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
           "xmlns:CS=\"http://calendarserver.org/ns/\" xmlns:A=\"http://apple.com/ns/ical/\">";
}

std::string response(std::string_view encoded_href, const Propstats& propstats) {
    std::string out;
    append_response(out, encoded_href, propstats);
    return out;
}

void append_response(std::string& out, std::string_view encoded_href, const Propstats& propstats) {
    out.append("<D:response><D:href>").append(escape(encoded_href)).append("</D:href>");
    if (!write_propstats(out, propstats)) out.append(no_properties_status);
    out.append("</D:response>");
}

void append_response(std::string& out, std::string_view encoded_href, std::string_view found,
                     std::string_view missing) {
    out.append("<D:response><D:href>").append(escape(encoded_href)).append("</D:href>");
    if (!found.empty())
        out.append("<D:propstat><D:prop>").append(found).append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    if (!missing.empty())
        out.append("<D:propstat><D:prop>")
            .append(missing)
            .append("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    if (found.empty() && missing.empty()) out.append(no_properties_status);
    out.append("</D:response>");
}

OpenResponse begin_response(std::string& out, std::string_view encoded_href) {
    OpenResponse open{out.size(), 0};
    out.append("<D:response><D:href>");
    escape_append(out, encoded_href);
    out.append("</D:href><D:propstat><D:prop>");
    open.found = out.size();
    return open;
}

void end_response(std::string& out, const OpenResponse& open, std::string_view encoded_href,
                  std::string_view missing) {
    if (out.size() == open.found) {
        out.resize(open.start);
        append_response(out, encoded_href, {}, missing);
        return;
    }
    out.append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    if (!missing.empty())
        out.append("<D:propstat><D:prop>")
            .append(missing)
            .append("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    out.append("</D:response>");
}

void Multistatus::add(std::string_view encoded_href, const Propstats& propstats) {
    append_response(out_, encoded_href, propstats);
}

std::string Multistatus::take_open() { return std::move(out_); }

void Multistatus::add_status(std::string_view encoded_href, int status) {
    out_ += "<D:response>" + href(encoded_href) + "<D:status>" + status_line(status) +
            "</D:status></D:response>";
}

void Multistatus::append(std::string_view xml) { out_ += xml; }

void Multistatus::add_root_propstats(const Propstats& propstats) { write_propstats(out_, propstats); }

std::string Multistatus::finish() {
    out_.append("</").append(root_).append(">");
    return std::move(out_);
}

}  // namespace caldav::xml

// Request routing and the one place where caldav::Error becomes a DAV:error body.
#include "caldav/service.hpp"

#include <array>
#include <functional>
#include <sstream>

#include <pugixml.hpp>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/resource_path.hpp"

namespace caldav {

namespace {

/// What a handler gets: the request, its parsed path, and the service's parts.
struct Context {
    const Request& request;
    const ResourcePath& path;
    Store& store;
    const Limits& limits;
};

using Handler = Response (*)(Context&);

/// The methods a resource of `kind` answers, for the Allow header.
std::string allow_for(ResourceKind) {
    // Only what is implemented; grows with the WebDAV core (issue 4).
    return "OPTIONS";
}

Response handle_options(Context& ctx) {
    Response r;
    r.status = 200;
    r.headers.set("DAV", Service::dav_header());
    r.headers.set("Allow", allow_for(ctx.path.kind));
    r.headers.set("Content-Length", "0");
    return r;
}

struct MethodRow {
    std::string_view method;
    Handler handler;
};

// One row per method (STYLE.md §3: map names to behaviour with a table).
constexpr std::array<MethodRow, 1> method_table{{
    {"OPTIONS", &handle_options},
}};

Response redirect_well_known() {
    // RFC 6764 §5: the well-known URI redirects to the context path, every method.
    Response r;
    r.status = 301;
    r.headers.set("Location", "/dav/");
    r.headers.set("Content-Length", "0");
    return r;
}

}  // namespace

Service::Service(Store& store, Limits limits) : store_(store), limits_(limits) {}

const std::string& Service::dav_header() {
    // Advertise only what works (issue 4 adds the WebDAV and CalDAV classes).
    static const std::string value = "1";
    return value;
}

Response Service::handle(const Request& request) {
    try {
        auto path = ResourcePath::parse(request.path);
        if (path.kind == ResourceKind::well_known) return redirect_well_known();
        if (path.kind == ResourceKind::unknown) throw Error(404, "no such resource");
        for (const auto& row : method_table) {
            if (row.method == request.method) {
                Context ctx{request, path, store_, limits_};
                return row.handler(ctx);
            }
        }
        Error e(405, "method " + request.method + " is not allowed here");
        Response r = render_error(e);
        r.headers.set("Allow", allow_for(path.kind));
        return r;
    } catch (const Error& e) {
        return render_error(e);
    }
}

Response render_error(const Error& error) {
    Response r;
    r.status = error.status();
    auto name = name_of(error.precondition());
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "utf-8";
    auto root = doc.append_child("D:error");
    root.append_attribute("xmlns:D") = std::string(names::dav_ns).c_str();
    if (error.precondition() != Precondition::none) {
        pugi::xml_node element;
        if (name.ns == names::dav_ns) {
            element = root.append_child(("D:" + std::string(name.local)).c_str());
        } else {
            element = root.append_child(("C:" + std::string(name.local)).c_str());
            element.append_attribute("xmlns:C") = std::string(name.ns).c_str();
        }
        if (!error.href().empty())
            element.append_child("D:href").text().set(error.href().c_str());
        r.precondition = std::string(name.local);
    }
    auto desc = root.append_child("K:description");
    desc.append_attribute("xmlns:K") = std::string(names::kalends_ns).c_str();
    desc.text().set(error.description().c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);
    r.body = out.str();
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    return r;
}

}  // namespace caldav

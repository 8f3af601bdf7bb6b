// Request routing (the method table), the one privilege check (RFC 3744 §7)
// and the one place where caldav::Error becomes a DAV:error body.
#include "caldav/service.hpp"

#include <array>
#include <sstream>

#include <pugixml.hpp>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/sharing.hpp"
#include "caldav/webdav_push.hpp"

namespace caldav {

namespace {

/// When a method applies: to existing resources, to missing ones, or both.
enum class When { existing, missing, any };

using P = Privileges;

/// What the actor must hold for a method to run (RFC 3744 §7 and its
/// Appendix B): on the target, on the collection holding it, and on that
/// collection when the method creates the target.
struct Need {
    Privileges target = P::read;
    Privileges parent = P::none;
    Privileges parent_if_new = P::none;
};

struct MethodRow {
    std::string_view method;
    Response (*handler)(Context&);
    unsigned dispatch;   ///< kinds the handler is called for (it gives precise errors)
    unsigned advertise;  ///< kinds whose Allow header lists the method
    When when;           ///< for Allow: existing or missing targets
    Need need;           ///< checked before the handler runs (check_privileges)
    bool read_only = false;  ///< changes nothing: served from the readers' pool
    /// Kinds outside k_made_by_users where `need` is checked too.
    unsigned need_also_on = 0;
};

constexpr unsigned k_writable = k_any_collection | k_object;

// One row per method (STYLE.md §3: map names to behaviour with a table).
constexpr std::array<MethodRow, 18> method_table{{
    {"OPTIONS", &handle_options, k_all | k_notes, k_all | k_notes, When::any, {}, true},
    {"PROPFIND", &handle_propfind, k_all | k_notes | k_proxy_group, k_all | k_notes | k_proxy_group, When::existing,
     {}, true},
    // Issue 25: the notification collection (caldav/sharing.cpp), its owner's alone.
    {"GET", &handle_notification_get, k_notes, k_notification, When::existing, {}, true},
    {"HEAD", &handle_notification_get, k_notes, k_notification, When::existing, {}, true},
    {"DELETE", &handle_notification_delete, k_notes, k_notification, When::existing, {}},
    {"PROPPATCH", &handle_proppatch, k_all | k_proxy_group, k_writable | k_proxy_group, When::existing,
     {P::write_properties}},
    {"MKCALENDAR", &handle_mkcalendar, k_all, k_calendar, When::missing, {P::none, P::bind}},
    {"MKCOL", &handle_mkcol, k_all, k_calendar, When::missing, {P::none, P::bind}},
    {"DELETE", &handle_delete, k_all, k_writable & ~(k_inbox | k_outbox), When::existing, {P::none, P::unbind}},
    // Each report checks what it needs (caldav/method_report.cpp): a
    // free-busy sharee (issue 25) runs free-busy-query and nothing else; on
    // a home, so does a user the organisation rule shows its busy time.
    {"REPORT", &handle_report, k_all | k_proxy_group, k_all | k_proxy_group, When::existing, {P::read_free_busy},
     true, k_home},
    {"GET", &handle_get, k_object | k_calendar, k_object | k_calendar, When::existing, {}, true},
    {"HEAD", &handle_get, k_object | k_calendar, k_object | k_calendar, When::existing, {}, true},
    {"PUT", &handle_put, k_all, k_object, When::any, {P::write_content, P::none, P::bind}},
    // RFC 6638 §6.2.1: the outbox answers free/busy lookups.
    {"POST", &handle_post, k_outbox, k_outbox, When::existing, {P::schedule_send_freebusy}},
    // Issue 25: CS:share / DAV:share-resource on a calendar (the share
    // privilege, checked by caldav/sharing.cpp), CS:invite-reply to the
    // actor's own home; draft-bitfire-webdav-push: push-register on a calendar
    // its reader may watch (caldav/webdav_push.cpp). handle_post tells them apart.
    {"POST", &handle_post, k_calendar | k_home | k_notifications, k_calendar, When::existing, {P::read}},
    // The destination is the handler's: it resolves it for the same actor.
    {"COPY", &handle_copy_move, k_object | k_plain, k_object | k_plain, When::existing, {}},
    {"MOVE", &handle_copy_move, k_object | k_plain | k_calendar, k_object | k_plain | k_calendar, When::existing,
     {P::read, P::unbind}},
    // RFC 3744 §8.1 (caldav/method_acl.cpp): a calendar's grants are its
    // ACEs to change; everywhere else every ACE is protected (403), so ACL
    // is listed in Allow on calendars only.
    {"ACL", &handle_acl, k_all, k_calendar, When::existing, {P::write_acl}},
}};

// Where methods change what users made: collections and their members. The
// root, the collections of principals and homes, principals and homes are
// the server's; every handler refuses changes there, alike for everyone,
// with its own answer (405, a precondition, a protected property), so there
// the actor needs only to see the resource.
constexpr unsigned k_made_by_users = k_any_collection | k_object;

/// The href of the collection holding `href` ("/a/b/" and "/a/b" → "/a/").
std::string parent_href(std::string_view href) {
    if (href.size() > 1 && href.back() == '/') href.remove_suffix(1);
    auto slash = href.rfind('/');
    return std::string(slash == std::string_view::npos ? href : href.substr(0, slash + 1));
}

Response redirect_well_known() {
    // RFC 6764 §5: the well-known URI redirects to the context path, every method.
    Response r;
    r.status = 301;
    r.headers.set("Location", "/dav/");
    return r;
}

}  // namespace

bool Service::is_read_only(std::string_view method) {
    for (const auto& row : method_table)
        if (row.method == method) return row.read_only;
    return false;
}

std::string allowed_methods(const Resource& r) {
    std::string out;
    for (const auto& row : method_table) {
        if (!(row.advertise & r.bit())) continue;
        if (row.when == When::existing && !r.exists) continue;
        if (row.when == When::missing && r.exists) continue;
        if (!out.empty()) out += ", ";
        out += row.method;
    }
    return out;
}

void check_privileges(std::string_view method, const Resource& target) {
    Need need;  // a method with no row here learns the Allow header: read
    for (const auto& row : method_table)
        if (row.method == method && (row.dispatch & target.bit()) &&
            (target.bit() & (k_made_by_users | row.need_also_on)))
            need = row.need;
    const auto lacking = [](Privileges held, Privileges needed) {
        return static_cast<Privileges>(static_cast<std::uint32_t>(needed) & ~static_cast<std::uint32_t>(held));
    };
    if (auto missing = lacking(target.privileges, need.target); missing != P::none)
        throw need_privileges_error(target.href, missing, "the user lacks a privilege this request needs");
    Privileges parent_need = target.exists ? need.parent : need.parent | need.parent_if_new;
    if (auto missing = lacking(target.parent_privileges, parent_need); missing != P::none)
        throw need_privileges_error(parent_href(target.href), missing,
                                    "the user lacks a privilege on the parent collection this request needs");
}

Response handle_options(Context& ctx) {
    Response r;
    r.status = 200;
    // draft-bitfire-webdav-push "Service Detection", only where it works.
    r.headers.set("DAV", ctx.push ? Service::dav_header() + ", webdav-push" : Service::dav_header());
    r.headers.set("Allow", allowed_methods(ctx.target));
    return r;
}

Service::Service(Store& store, Limits limits) : store_(store), limits_(limits) {}

const std::string& Service::dav_header() {
    // Advertise only what works: class 2 (LOCK) is not implemented;
    // calendar-auto-schedule (RFC 6638 §2): implicit scheduling delivers to
    // local users and, with an [smtp] relay, by email (issue 6).
    static const std::string value = "1, 3, access-control, calendar-access, calendar-auto-schedule, extended-mkcol, calendar-proxy";
    return value;
}

Response Service::handle(const Request& request) {
    try {
        auto path = ResourcePath::parse(request.path);
        if (path.kind == ResourceKind::well_known) return redirect_well_known();
        if (path.kind == ResourceKind::unknown) throw Error(404, "no such resource");
        if (!request.principal) throw Error(401, "authentication required");
        auto user = store_.find_principal(request.principal->name);
        if (!user) throw Error(401, "the authenticated user no longer exists");
        // Clients expect a calendar to exist from the first request (issue 4 §1).
        store_.provision_home(user->id);
        refine_path(path, store_, *user, request.method == "MKCOL" || request.method == "MKCALENDAR");
        Context ctx{request, path, store_, limits_, *user, {}};
        ctx.imip = imip_;
        ctx.push = push_store_ ? push_ : nullptr;
        ctx.push_store = push_store_;
        ctx.target = resolve(path, store_, *user, limits_.free_busy_rule);
        // A sharee's per-user properties need only their grant (caldav/sharing.hpp).
        if (!is_sharee_proppatch(ctx)) check_privileges(request.method, ctx.target);
        for (const auto& row : method_table) {
            if (row.method == request.method && (row.dispatch & ctx.target.bit()))
                return row.handler(ctx);
        }
        Error e(405, "method " + request.method + " is not allowed here");
        Response r = render_error(e);
        r.headers.set("Allow", allowed_methods(ctx.target));
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
        if (!error.detail().empty()) {
            root.append_attribute("xmlns:C") = std::string(names::caldav_ns).c_str();
            element.append_buffer(error.detail().data(), error.detail().size());
        }
        r.precondition = std::string(name.local);
    }
    auto desc = root.append_child("K:description");
    desc.append_attribute("xmlns:K") = std::string(names::kalends_ns).c_str();
    desc.text().set(error.description().c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);
    r.body = out.str();
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    if (error.status() == 401) r.headers.set("WWW-Authenticate", "Basic realm=\"Kalends\"");
    return r;
}

}  // namespace caldav

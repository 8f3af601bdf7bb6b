// The method handlers, one file each (STYLE.md "Adding things: a REPORT or method").
#pragma once
#include "caldav/context.hpp"

namespace caldav {

Response handle_options(Context& ctx);     // RFC 4918 §9.1, RFC 4791 §5.1
Response handle_propfind(Context& ctx);    // RFC 4918 §9.1          method_propfind.cpp
Response handle_proppatch(Context& ctx);   // RFC 4918 §9.2          method_proppatch.cpp
Response handle_mkcalendar(Context& ctx);  // RFC 4791 §5.3.1        method_mkcol.cpp
Response handle_mkcol(Context& ctx);       // RFC 4918 §9.3, RFC 5689 method_mkcol.cpp
Response handle_delete(Context& ctx);      // RFC 4918 §9.6          method_delete.cpp
Response handle_report(Context& ctx);      // RFC 3253 §3.6          method_report.cpp
Response handle_get(Context& ctx);         // RFC 4918 §9.4 (and HEAD) method_object.cpp
/// GET of a calendar (method_export.cpp); `redact`, when given, rewrites the
/// components of each object before they are sent (public feeds, issue 25 §8).
Response export_calendar(Context& ctx, std::string (*redact)(std::string_view) = nullptr);
Response handle_post(Context& ctx);        // RFC 6638 §5 (outbox)   method_post.cpp
Response handle_put(Context& ctx);         // RFC 4791 §5.3.2        method_put.cpp
Response handle_copy_move(Context& ctx);   // RFC 4918 §9.8, §9.9    method_object.cpp
Response handle_acl(Context& ctx);         // RFC 3744 §8.1          method_acl.cpp

/// The Allow header value for the target (exactly the methods that work there).
std::string allowed_methods(const Resource& r);

/// Throws 403 DAV:need-privileges unless the actor's privileges on `target`
/// (Resource::privileges, parent_privileges) include what the method table
/// says `method` needs there (RFC 3744 §7.1.1). Service::handle calls it once,
/// before the handler.
void check_privileges(std::string_view method, const Resource& target);

}  // namespace caldav

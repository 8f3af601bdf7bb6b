// ACL (RFC 3744 §8.1): every ACE is protected for now, so a well-formed request
// is refused with DAV:no-protected-ace-conflict (§8.1.1) instead of 405.
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

Response handle_acl(Context& ctx) {
    if (!ctx.target.exists) throw Error(404, "no such resource");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(names::dav_ns, "acl")) throw Error(400, "ACL body must be DAV:acl (RFC 3744 §8.1)");
    // RFC 3744 §8.1.1: the owner's ACEs are protected (the write side comes
    // with sharing), so any change conflicts with them.
    throw Error(403, Precondition::no_protected_ace_conflict,
                "access control entries are protected and cannot be changed yet");
}

}  // namespace caldav

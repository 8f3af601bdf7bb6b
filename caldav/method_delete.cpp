// DELETE (RFC 4918 §9.6) of calendar objects (through the calendar service:
// with their cancellations, in one transaction) and whole collections; both
// leave a trace for sync (tombstones in the collection's change log).
#include "caldav/error.hpp"
#include "caldav/object_service.hpp"
#include "caldav/handlers.hpp"
#include "caldav/sharing.hpp"
#include "caldav/store_outcome.hpp"

namespace caldav {

Response handle_delete(Context& ctx) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::collection && t.kind != ResourceKind::object)
        throw need_privileges_error(t.href, Privileges::unbind, "this resource cannot be deleted");
    if (!t.exists) throw Error(404, "no such resource");
    WriteConditions conditions;
    conditions.if_match = if_match_of(ctx.request);
    conditions.if_schedule_tag_match = if_schedule_tag_match_of(ctx.request);
    if (t.kind == ResourceKind::collection) {
        if (t.collection->kind == CollectionKind::inbox || t.collection->kind == CollectionKind::outbox)
            throw need_privileges_error(t.href, Privileges::unbind, "the scheduling inbox and outbox cannot be deleted");
        if (conditions.if_match && *conditions.if_match != "*") throw Error(412, "collections have no ETag");
        auto status = delete_collection_and_shares(ctx.store, *t.collection);  // issue 25 §7
        if (status == StoreStatus::not_found) throw Error(404, "no such resource");
        if (status != StoreStatus::ok) throw store_error(status);
    } else {
        // RFC 6638 §8.1: "Schedule-Reply: F" removes an invitation without declining it.
        auto no_reply = ctx.request.headers.get("Schedule-Reply");
        bool reply = !(no_reply && (*no_reply == "F" || *no_reply == "f"));
        Actor actor{ctx.store, ctx.limits, ctx.user, ctx.imip};
        remove_object(actor, *t.collection, t.object->name, conditions, reply);
    }
    Response r;
    r.status = 204;
    return r;
}

}  // namespace caldav

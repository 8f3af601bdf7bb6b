// DELETE (RFC 4918 §9.6) of calendar objects and whole collections; both leave
// a trace for sync (tombstones in the collection's change log).
#include "caldav/error.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/handlers.hpp"
#include "caldav/store_outcome.hpp"

namespace caldav {

Response handle_delete(Context& ctx) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::collection && t.kind != ResourceKind::object)
        throw Error(403, Precondition::need_privileges, "this resource cannot be deleted");
    if (!t.exists) throw Error(404, "no such resource");
    auto if_match = if_match_of(ctx.request);
    auto if_schedule_tag = if_schedule_tag_match_of(ctx.request);
    StoreStatus status;
    if (t.kind == ResourceKind::collection) {
        if (t.collection->kind == CollectionKind::inbox || t.collection->kind == CollectionKind::outbox)
            throw Error(403, Precondition::need_privileges, "the scheduling inbox and outbox cannot be deleted");
        if (if_match && *if_match != "*") throw Error(412, "collections have no ETag");
        status = ctx.store.delete_collection(t.collection->id);
    } else {
        if (if_match && *if_match == "*") if_match.reset();
        std::optional<ObjectRecord> old;
        if (t.collection->kind == CollectionKind::calendar)
            old = ctx.store.find_object(t.collection->id, t.object->name, true);
        status = ctx.store.delete_object(t.collection->id, t.object->name, if_match, if_schedule_tag);
        if (status == StoreStatus::ok && old && old->data.find("ORGANIZER") != std::string::npos) {
            // Email (iMIP) is queued right after the delete, in its own write.
            // RFC 6638 §8.1: "Schedule-Reply: F" removes an invitation without declining it.
            auto no_reply = ctx.request.headers.get("Schedule-Reply");
            bool reply = !(no_reply && (*no_reply == "F" || *no_reply == "f"));
            auto mail = schedule_after_delete(ctx, old->data, reply);
            if (!mail.empty() && ctx.store.queue_mail(mail) != StoreStatus::ok)
                throw Error(503, "the database is busy; the object is deleted but its email was not queued");
        }
    }
    if (status == StoreStatus::not_found) throw Error(404, "no such resource");
    if (status == StoreStatus::etag_mismatch)
        throw Error(412, "If-Match or If-Schedule-Tag-Match does not match the current state");
    if (status != StoreStatus::ok) throw store_error(status);
    Response r;
    r.status = 204;
    return r;
}

}  // namespace caldav

// /api/v1/calendars/{id}/feeds: public feeds of a calendar (issue 25 §8) —
// making one (its secret URL is shown in that answer only), listing them and
// revoking one. The calendar's owner manages them: a feed shares the
// calendar with anyone who has the URL.
#include <boost/json/array.hpp>

#include "caldav/privileges.hpp"
#include "caldav/store_feeds.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"
#include "src/api/event_json.hpp"
#include "src/http/feed_endpoint.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

caldav::FeedStore& feed_store(Call& call) {
    auto* feeds = dynamic_cast<caldav::FeedStore*>(&call.actor.store);
    if (!feeds) throw ApiError(503, "unavailable", "this server keeps no public feeds");
    return *feeds;
}

/// The caller's own calendar `id`; 404 when they have none of that name.
caldav::CollectionRecord owned_calendar(Call& call, const std::string& id) {
    auto c = call.actor.store.find_collection(call.actor.principal.id, id);
    if (!c || c->kind != caldav::CollectionKind::calendar)
        throw ApiError(404, "not-found", "you own no calendar with this id; only its owner publishes a calendar");
    return *c;
}

json::object feed_json(const caldav::PublicFeed& f) {
    return json::object{{"feed_id", std::to_string(f.id)},
                        {"form", f.free_busy ? "free-busy" : "full"},
                        {"created", time_json(f.created_at)}};
}

}  // namespace

caldav::Response list_feeds(Call& call) {
    auto c = owned_calendar(call, call.segments[1]);
    json::array feeds;
    for (const auto& f : feed_store(call).feeds_of_collection(c.id)) feeds.push_back(feed_json(f));
    return json_response(200, json::object{{"feeds", std::move(feeds)}});
}

caldav::Response create_public_feed(Call& call) {
    auto body = call.request.body.empty() ? json::object{} : call.body();
    Fields f(body);
    const bool free_busy = f.boolean("free_busy").value_or(false);
    auto c = owned_calendar(call, call.segments[1]);
    caldav::PublicFeed feed;
    caldav::StoreStatus status = caldav::StoreStatus::ok;
    auto token = create_feed(feed_store(call), call.actor.principal, c, free_busy, feed, status);
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "the calendar is gone");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the feed could not be made");
    auto out = feed_json(feed);
    out["path"] = feed_path(token);
    if (auto host = call.request.headers.get("Host"); host && !host->empty())
        out["webcal_url"] = "webcal://" + std::string(*host) + feed_path(token);
    return json_response(201, out);
}

caldav::Response delete_feed(Call& call) {
    auto c = owned_calendar(call, call.segments[1]);
    std::int64_t id = 0;
    try {
        std::size_t used = 0;
        id = std::stoll(call.segments[3], &used);
        if (used != call.segments[3].size()) id = 0;
    } catch (const std::exception&) {
        id = 0;
    }
    auto status = id > 0 ? feed_store(call).remove_feed(c.id, id) : caldav::StoreStatus::not_found;
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "this calendar has no such feed");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the feed could not be revoked");
    caldav::Response r;
    r.status = 204;
    return r;
}

}  // namespace server::api

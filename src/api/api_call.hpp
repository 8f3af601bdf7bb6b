// One JSON API request being handled (src/api internal): who asks, the path's
// segments, the query, and the settings; the handlers of src/api/*_api.cpp take it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "caldav/message.hpp"
#include "caldav/store_push.hpp"
#include "caldav/write_plan.hpp"
#include "src/api/json_input.hpp"
#include "src/config/config.hpp"

namespace server {
class AccountStore;
}

namespace server::api {

struct Call {
    const caldav::Request& request;
    caldav::Actor& actor;
    const ApiConfig& config;
    std::vector<std::string> segments;         ///< after /api/v1/, percent-decoded
    std::map<std::string, std::string> query;  ///< decoded; the first of repeated names
    std::int64_t now = 0;
    caldav::PushStore* push_store = nullptr;        ///< nullptr when push is off
    const caldav::DavPushSettings* push = nullptr;  ///< the VAPID key and endpoint rules
    AccountStore* accounts = nullptr;          ///< users and tokens (sign-in); nullptr: none

    /// The body as a JSON object (parse_object with the [api] limits).
    boost::json::object body() const;
    /// A query parameter, or nullopt.
    std::optional<std::string> param(const std::string& name) const;
    /// A query parameter that is an RFC 3339 date-time, or a date (YYYY-MM-DD,
    /// midnight in `zone`); 400 invalid-request when it is neither.
    std::optional<std::int64_t> time_param(const std::string& name, const std::string& zone) const;
};

// The handlers, one per route (src/api/api_endpoint.cpp holds the table).
caldav::Response create_event(Call& call);
caldav::Response get_event(Call& call);
caldav::Response update_event(Call& call);
caldav::Response delete_event(Call& call);
caldav::Response rsvp_event(Call& call);
caldav::Response list_events(Call& call);
caldav::Response check_availability(Call& call);
caldav::Response suggest_times(Call& call);
caldav::Response list_calendars(Call& call);
caldav::Response create_calendar(Call& call);
caldav::Response update_calendar(Call& call);
caldav::Response delete_calendar(Call& call);
caldav::Response list_shares(Call& call);   ///< GET calendars/{id}/shares (issue 25)
caldav::Response put_share(Call& call);     ///< PUT calendars/{id}/shares
caldav::Response delete_share(Call& call);  ///< DELETE calendars/{id}/shares/{email}
caldav::Response list_feeds(Call& call);          ///< GET calendars/{id}/feeds (issue 25 §8)
caldav::Response create_public_feed(Call& call);  ///< POST calendars/{id}/feeds
caldav::Response delete_feed(Call& call);         ///< DELETE calendars/{id}/feeds/{feed_id}
caldav::Response get_vapid_key(Call& call);             ///< GET push/vapid-public-key (issue 26 §5)
caldav::Response list_push_subscriptions(Call& call);   ///< GET push/subscriptions
caldav::Response create_push_subscription(Call& call);  ///< POST push/subscriptions
caldav::Response delete_push_subscription(Call& call);  ///< DELETE push/subscriptions/{id}
caldav::Response create_session(Call& call);  ///< POST sessions (issue 28: the web app's sign-in)
caldav::Response delete_session(Call& call);  ///< DELETE sessions/current (signing out)

/// The time zone named by `zone` (an IANA name known to libical, or UTC);
/// 422 naming `field` otherwise.
std::string checked_zone(const std::string& zone, const std::string& field);

}  // namespace server::api

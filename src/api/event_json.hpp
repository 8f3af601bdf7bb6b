// Events in the JSON API's shapes (issue 24, docs/api.md): request bodies to
// ical::EventSpec / EventPatch, and events, instances and conflicts to JSON.
#pragma once
#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "caldav/event_service.hpp"
#include "ical/event_spec.hpp"

namespace server::api {

/// A create body (POST /api/v1/events) as an event description. Throws
/// ApiError 422 naming the field for a missing or mistyped member; what the
/// values mean is checked later (ical::check_event).
ical::EventSpec read_event_spec(const boost::json::object& body);

/// A PATCH body's event fields; absent members stay unchanged.
ical::EventPatch read_event_patch(const boost::json::object& body);

/// The API status of a PARTSTAT ("pending", "accepted", ...).
std::string status_of(const std::string& partstat);

/// An event as GET /api/v1/events/{id} shows it.
boost::json::object event_json(const caldav::EventLocation& where, const ical::EventView& view);

/// One conflict; its title only when set (the caller's own events).
boost::json::object conflict_json(const caldav::Conflict& c);
boost::json::array conflicts_json(const std::vector<caldav::Conflict>& conflicts);

/// One listed instance (GET /api/v1/events), allocated from `storage` (a
/// listing builds its page in one monotonic resource: no allocation per member).
boost::json::object instance_json(const caldav::ListedInstance& instance, boost::json::storage_ptr storage = {});

/// An RFC 3339 UTC string, allocated from `storage`.
boost::json::string time_json(std::int64_t utc, boost::json::storage_ptr storage = {});

}  // namespace server::api

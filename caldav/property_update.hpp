// Setting and removing properties, shared by PROPPATCH, MKCALENDAR and extended
// MKCOL: live/dead classification, protection, all-or-nothing results.
#pragma once
#include <vector>

#include "caldav/context.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

/// One DAV:set or DAV:remove of one property, in document order.
struct PropertyUpdate {
    bool remove = false;
    const xml::Element* property = nullptr;  ///< the property element (name + value)
};

/// The updates inside `root` (its DAV:set / DAV:remove children). Throws 400
/// when the body is not a property update.
std::vector<PropertyUpdate> collect_updates(const xml::Element& root);

/// The outcome of classifying updates: a patch to apply when `ok`, and the
/// per-property statuses to report (200, or 403 with 424 for the rest).
struct UpdatePlan {
    PropertyPatch patch;
    xml::Propstats propstats;
    bool ok = true;
};

/// Plans `updates` for a resource of KindBit `kind`. When `creating`, properties
/// that only creation may set (resourcetype, supported-calendar-component-set)
/// are accepted and left to the caller.
UpdatePlan plan_updates(const std::vector<PropertyUpdate>& updates, unsigned kind, bool creating);

}  // namespace caldav

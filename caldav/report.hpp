// REPORT dispatch (RFC 3253 §3.6): one function per report, one table row each.
#pragma once
#include "caldav/context.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

/// sync-collection (RFC 6578 §3), in report_sync_collection.cpp.
Response report_sync_collection(Context& ctx, const xml::Element& root);

/// calendar-multiget (RFC 4791 §7.9), in report_multiget.cpp.
Response report_calendar_multiget(Context& ctx, const xml::Element& root);

/// calendar-query (RFC 4791 §7.8), in report_calendar_query.cpp.
Response report_calendar_query(Context& ctx, const xml::Element& root);

}  // namespace caldav

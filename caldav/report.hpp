// REPORT dispatch (RFC 3253 §3.6): one function per report, one table row each.
#pragma once
#include <string_view>
#include <utility>
#include <vector>

#include "caldav/context.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

/// The reports listed in `r`'s DAV:supported-report-set (RFC 3253 §3.1.5),
/// as (namespace, name), derived from the report table.
std::vector<std::pair<std::string_view, std::string_view>> supported_reports(const Resource& r);

/// sync-collection (RFC 6578 §3), in report_sync_collection.cpp.
Response report_sync_collection(Context& ctx, const xml::Element& root);

/// calendar-multiget (RFC 4791 §7.9), in report_multiget.cpp.
Response report_calendar_multiget(Context& ctx, const xml::Element& root);

/// calendar-query (RFC 4791 §7.8), in report_calendar_query.cpp.
Response report_calendar_query(Context& ctx, const xml::Element& root);

/// free-busy-query (RFC 4791 §7.10), in report_free_busy.cpp.
Response report_free_busy_query(Context& ctx, const xml::Element& root);

/// expand-property (RFC 3253 §3.8), in report_principal.cpp.
Response report_expand_property(Context& ctx, const xml::Element& root);

/// principal-property-search and principal-search-property-set (RFC 3744
/// §9.4, §9.5), principal-match (§9.3), in report_principal.cpp.
Response report_principal_property_search(Context& ctx, const xml::Element& root);
Response report_principal_search_property_set(Context& ctx, const xml::Element& root);
Response report_principal_match(Context& ctx, const xml::Element& root);

/// acl-principal-prop-set (RFC 3744 §9.2), in report_principal.cpp.
Response report_acl_principal_prop_set(Context& ctx, const xml::Element& root);

}  // namespace caldav

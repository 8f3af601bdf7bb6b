// The live-property table (RFC 4918 §15, RFC 4791 §5.2/§6, RFC 3744 §5, RFC 5397,
// RFC 6578 §4, RFC 4331, CalendarServer getctag) and property lookup for PROPFIND.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/calendar_data_select.hpp"
#include "caldav/context.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

/// One live property: where it is defined and how to compute it.
struct PropertyDescriptor {
    std::string_view ns;
    std::string_view local;
    unsigned kinds;        ///< KindBits of the resources that have it
    bool in_allprop;       ///< returned for DAV:allprop
    bool is_protected;     ///< PROPPATCH gets cannot-modify-protected-property
    /// The property's inner XML for `r`, or nullopt when it has no value there.
    std::optional<std::string> (*get)(Context& ctx, const Resource& r);
    /// The same inner XML appended to `out` (false: no value), for the
    /// properties every listing member carries; optional.
    bool (*append)(Context& ctx, const Resource& r, std::string& out) = nullptr;
};

/// The descriptor of {ns}local, or nullptr for properties we do not compute.
const PropertyDescriptor* find_property(std::string_view ns, std::string_view local);

/// Every live property, in table order.
const std::vector<PropertyDescriptor>& property_table();

/// Which properties a PROPFIND or REPORT asks for.
struct PropertyRequest {
    enum class Mode { prop, allprop, propname } mode = Mode::allprop;
    std::vector<std::pair<std::string, std::string>> names;  ///< (ns, local) for prop / include
    std::optional<DataSelection> calendar_data;  ///< what CALDAV:calendar-data asked for, if named
    /// find_property of each name, looked up once for all members of a listing.
    mutable std::optional<std::vector<const PropertyDescriptor*>> descriptors;
};

/// The property request of a PROPFIND or REPORT body `root`: its DAV:prop,
/// DAV:allprop (with DAV:include) or DAV:propname child; `fallback` when it has
/// none of them. Reads the CALDAV:calendar-data selection (RFC 4791 §9.6).
PropertyRequest parse_property_request(const xml::Element& root, PropertyRequest::Mode fallback);

/// Appends the DAV:response of `r` at `encoded_href` to `out`: the same bytes as
/// xml::append_response(out, encoded_href, properties_of(ctx, r, request)),
/// written in place (listings call this for every member).
void append_properties(std::string& out, std::string_view encoded_href, Context& ctx, const Resource& r,
                       const PropertyRequest& request);

/// The propstats of `r` for `request`: values with 200, unknown ones with 404.
/// Dead properties are read only for collections and objects, and only when needed.
xml::Propstats properties_of(Context& ctx, const Resource& r,
                                                                    const PropertyRequest& request);

/// The sync-token URI of a collection at a revision (RFC 6578 §3.2).
std::string sync_token(const CollectionRecord& c, std::int64_t revision);

/// The revision a token of collection `c` names, or nullopt if it is not one of ours.
std::optional<std::int64_t> parse_sync_token(const CollectionRecord& c, std::string_view token);

/// The sync-token URI of a calendar home at a revision (RFC 6578 on the home).
std::string home_sync_token(const HomeRecord& h, std::int64_t revision);

/// The revision a token of home `h` names, or nullopt if it is not one of ours.
std::optional<std::int64_t> parse_home_sync_token(const HomeRecord& h, std::string_view token);

}  // namespace caldav

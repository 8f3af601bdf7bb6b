// The DAV/CalDAV precondition and postcondition elements we report (RFC 4918 §16,
// RFC 4791 §5.3.2/§7.8, RFC 6578 §3.2, RFC 3744 §7.1.1, RFC 6638 §3.2), in one table.
#pragma once
#include <array>
#include <cstddef>
#include <string_view>

namespace caldav {

/// A precondition element that a failed request names in its DAV:error body.
enum class Precondition {
    none,
    // RFC 4918
    propfind_finite_depth,
    cannot_modify_protected_property,
    lock_token_submitted,
    // RFC 3744
    need_privileges,
    // RFC 3253 / RFC 4791 / RFC 6578
    supported_report,
    valid_sync_token,
    number_of_matches_within_limits,
    // RFC 4791
    calendar_collection_location_ok,
    valid_calendar_data,
    valid_calendar_object_resource,
    supported_calendar_data,
    supported_calendar_component,
    no_uid_conflict,
    max_resource_size,
    min_date_time,
    max_date_time,
    max_instances,
    max_attendees_per_instance,
    valid_filter,
    supported_filter,
    supported_collation,
    valid_calendar_timezone,
    resource_must_be_null,
    // RFC 5689
    valid_resourcetype,
    // RFC 6638
    unique_scheduling_object_resource,
    same_organizer_in_all_components,
    allowed_organizer_scheduling_object_change,
    allowed_attendee_scheduling_object_change,
    valid_scheduling_message,
    organizer_allowed,
    // RFC 4331
    quota_not_exceeded,
    // RFC 3744 §8.1.1 (ACL method)
    no_protected_ace_conflict,
    no_ace_conflict,
    no_inherited_ace_conflict,
    grant_only,
    no_invert,
    not_supported_privilege,
    recognized_principal,
    allowed_principal,
    // draft-bitfire-webdav-push (push-register)
    push_not_available,
    invalid_subscription,
    no_supported_trigger,
    // Kalends (issue 29 §6, kalends.conf(5) [limits])
    max_calendars,
    max_resources,
    count_  // keep last: the table below must have one row per enumerator
};

/// Namespace URI and local name of a precondition element.
struct PreconditionName {
    std::string_view ns;
    std::string_view local;
};

inline constexpr std::array<PreconditionName, static_cast<std::size_t>(Precondition::count_)>
    precondition_names{{
        {"", ""},
        {"DAV:", "propfind-finite-depth"},
        {"DAV:", "cannot-modify-protected-property"},
        {"DAV:", "lock-token-submitted"},
        {"DAV:", "need-privileges"},
        {"DAV:", "supported-report"},
        {"DAV:", "valid-sync-token"},
        {"DAV:", "number-of-matches-within-limits"},
        {"urn:ietf:params:xml:ns:caldav", "calendar-collection-location-ok"},
        {"urn:ietf:params:xml:ns:caldav", "valid-calendar-data"},
        {"urn:ietf:params:xml:ns:caldav", "valid-calendar-object-resource"},
        {"urn:ietf:params:xml:ns:caldav", "supported-calendar-data"},
        {"urn:ietf:params:xml:ns:caldav", "supported-calendar-component"},
        {"urn:ietf:params:xml:ns:caldav", "no-uid-conflict"},
        {"urn:ietf:params:xml:ns:caldav", "max-resource-size"},
        {"urn:ietf:params:xml:ns:caldav", "min-date-time"},
        {"urn:ietf:params:xml:ns:caldav", "max-date-time"},
        {"urn:ietf:params:xml:ns:caldav", "max-instances"},
        {"urn:ietf:params:xml:ns:caldav", "max-attendees-per-instance"},
        {"urn:ietf:params:xml:ns:caldav", "valid-filter"},
        {"urn:ietf:params:xml:ns:caldav", "supported-filter"},
        {"urn:ietf:params:xml:ns:caldav", "supported-collation"},
        {"urn:ietf:params:xml:ns:caldav", "valid-calendar-timezone"},
        {"DAV:", "resource-must-be-null"},
        {"DAV:", "valid-resourcetype"},
        {"urn:ietf:params:xml:ns:caldav", "unique-scheduling-object-resource"},
        {"urn:ietf:params:xml:ns:caldav", "same-organizer-in-all-components"},
        {"urn:ietf:params:xml:ns:caldav", "allowed-organizer-scheduling-object-change"},
        {"urn:ietf:params:xml:ns:caldav", "allowed-attendee-scheduling-object-change"},
        {"urn:ietf:params:xml:ns:caldav", "valid-scheduling-message"},
        {"urn:ietf:params:xml:ns:caldav", "organizer-allowed"},
        {"DAV:", "quota-not-exceeded"},
        {"DAV:", "no-protected-ace-conflict"},
        {"DAV:", "no-ace-conflict"},
        {"DAV:", "no-inherited-ace-conflict"},
        {"DAV:", "grant-only"},
        {"DAV:", "no-invert"},
        {"DAV:", "not-supported-privilege"},
        {"DAV:", "recognized-principal"},
        {"DAV:", "allowed-principal"},
        {"https://bitfire.at/webdav-push", "push-not-available"},
        {"https://bitfire.at/webdav-push", "invalid-subscription"},
        {"https://bitfire.at/webdav-push", "no-supported-trigger"},
        {"https://kalends.invalid/ns/", "max-calendars"},
        {"https://kalends.invalid/ns/", "max-resources"},
    }};

static_assert(precondition_names.size() == static_cast<std::size_t>(Precondition::count_),
              "one precondition_names row per Precondition enumerator");

/// The element name of `p` (empty strings for Precondition::none).
constexpr PreconditionName name_of(Precondition p) {
    return precondition_names[static_cast<std::size_t>(p)];
}

}  // namespace caldav

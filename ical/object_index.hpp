// What the server indexes about a calendar object resource, and the RFC 4791
// §4.1 rules it must satisfy: parse, validate, and bound its instances in time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ical/calendar_data.hpp"

namespace ical {

/// Why a resource was refused: it does not parse (or names an unknown time
/// zone), or it parses but breaks the CalDAV object rules (RFC 4791 §4.1).
enum class IndexErrorKind { invalid_data, invalid_object };

/// A refusal, with a message for the client and the 1-based line when known.
struct IndexError {
    IndexErrorKind kind = IndexErrorKind::invalid_data;
    std::string message;
    int line = 0;
};

/// The index fields of a valid calendar object resource. Times are UTC seconds;
/// `first_start` is at or before every instance's start and `last_end` at or
/// after every instance's end (floating and all-day times are widened by 14
/// hours each way, as their zone is the reader's); empty means unbounded.
struct ObjectIndex {
    std::string uid;
    std::string component;  ///< VEVENT, VTODO, VJOURNAL, VFREEBUSY or VAVAILABILITY
    bool recurring = false;
    std::optional<std::int64_t> first_start;
    std::optional<std::int64_t> last_end;
    std::string organizer;  ///< ORGANIZER value, or empty
};

/// Either an ObjectIndex or an IndexError.
struct IndexResult {
    std::optional<ObjectIndex> index;
    std::optional<IndexError> error;
    explicit operator bool() const { return index.has_value(); }
};

/// Parses and validates one calendar object resource. Never throws.
/// `max_instances` bounds how many instances of a finite rule are walked to find
/// the last one; a rule with more is treated as unbounded. When the object is
/// valid and `parsed` is given, the parsed VCALENDAR is handed over there, so
/// that what else the caller reads from the object (instances, scheduling)
/// costs no second parse.
IndexResult index_object(std::string_view data, std::size_t max_instances, ComponentPtr* parsed = nullptr);

/// index_object of `data`, the serialisation of `parsed` (a parse the caller
/// holds, which is only read): the character check runs on `data` and every
/// other check on `parsed`, so `data` is not parsed again. Only for a text
/// the server serialised from a tree that holds nothing libical would write
/// differently than it reads back (caldav::WritePlan::validated says which
/// texts are such). Never throws.
IndexResult index_object(std::string_view data, icalcomponent* parsed, std::size_t max_instances);

}  // namespace ical

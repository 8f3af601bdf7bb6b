// The store outcome table (issue 23 §8).
#include "caldav/store_outcome.hpp"

#include <array>

namespace caldav {

namespace {

struct OutcomeRow {
    StoreStatus status;
    int http;
    Precondition precondition;
    const char* description;
};

constexpr std::array<OutcomeRow, 7> outcomes{{
    {StoreStatus::busy, 503, Precondition::none, "the database is busy; retry"},
    {StoreStatus::full, 507, Precondition::none, "the disk is full"},
    {StoreStatus::not_found, 404, Precondition::none, "the resource went away"},
    {StoreStatus::etag_mismatch, 412, Precondition::none,
     "the conditional headers do not match the current state"},
    {StoreStatus::exists, 412, Precondition::none, "the destination exists"},
    {StoreStatus::uid_conflict, 403, Precondition::no_uid_conflict,
     "another object in this calendar has this UID"},
    {StoreStatus::conflict, 409, Precondition::none, "the change conflicts with the current state"},
}};

}  // namespace

Error store_error(StoreStatus status) {
    for (const auto& row : outcomes)
        if (row.status == status) return Error(row.http, row.precondition, row.description);
    // ok is no error: a caller that passes it has a bug; answer as busy.
    return Error(503, "the database is busy; retry");
}

}  // namespace caldav

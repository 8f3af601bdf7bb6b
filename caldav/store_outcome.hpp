// Store outcomes to HTTP answers, in one table (issue 23 §8, STYLE.md §5:
// "Store returns typed outcomes; caldav/ turns them into statuses").
#pragma once
#include "caldav/error.hpp"
#include "caldav/store.hpp"

namespace caldav {

/// The Error a store outcome other than `ok` becomes where a handler has no
/// answer of its own for it: busy 503, full 507 (the disk; the user's quota
/// is checked before the write), not_found 404, etag_mismatch and exists 412,
/// uid_conflict 403 CALDAV:no-uid-conflict, conflict 409. Handlers answer
/// the outcomes whose meaning depends on the request (a PUT's missing parent
/// is 409, a UID conflict names the holder) before falling back to this.
Error store_error(StoreStatus status);

}  // namespace caldav

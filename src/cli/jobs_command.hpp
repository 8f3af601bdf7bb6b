// `kalends jobs`: what the job queue holds (issue 26 §7; man/kalends.1).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "caldav/store_jobs.hpp"

namespace server {

/// Prints the jobs of `kind` (all kinds when empty) that are due at `now`
/// (unix seconds), leased or failed — with `all`, also those due later —
/// one a line, tab-separated: id, kind, state (due, waiting, leased,
/// failed), due time (RFC 3339 UTC), owner id, attempts, last error ("-"
/// when none). Then a summary line per state on `out`. Returns 0.
int jobs_list(caldav::JobStore& store, std::int64_t now, const std::string& kind, bool all, std::ostream& out);

}  // namespace server

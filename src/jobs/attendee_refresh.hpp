// The attendee-refresh jobs (caldav/scheduling.hpp): after an answer to a
// meeting, the other local attendees' copies take it, run on a JobRunner.
#pragma once
#include "caldav/limits.hpp"
#include "caldav/store.hpp"
#include "src/jobs/job_runner.hpp"

namespace server {

/// Gives `runner` the handler of attendee_refresh_job_kind, writing through
/// `store` under `limits`. A refresh the copies' writers kept overtaking is
/// retried after a few seconds.
void handle_attendee_refresh(JobRunner& runner, caldav::Store& store, const caldav::Limits& limits);

}  // namespace server

#include "src/jobs/attendee_refresh.hpp"

#include <string>

#include "caldav/scheduling.hpp"

namespace server {

void handle_attendee_refresh(JobRunner& runner, caldav::Store& store, const caldav::Limits& limits) {
    RetryPolicy retry;
    retry.first_delay = 5;
    retry.max_delay = 600;
    runner.handle(
        std::string(caldav::attendee_refresh_job_kind),
        [&store, &limits](const caldav::JobRecord& job, std::int64_t) {
            if (caldav::refresh_attendee_copies(store, limits, job.owner_id, job.payload) ==
                caldav::RefreshResult::done)
                return JobOutcome::done();
            return JobOutcome::retry("the attendees' copies could not be written");
        },
        retry);
}

}  // namespace server

// JobRunner: the worker side of the job queue (issue 23 §7).
#include "src/jobs/job_runner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>

#include <unistd.h>

#include "src/util/log.hpp"

namespace server {

namespace {

/// How long to sleep until `next` is due, `now` being the runner's clock
/// (unix seconds). When that clock is the wall clock (within a second of it)
/// the sleep ends as the wall clock reaches `next`, not up to a second later
/// (issue 26: reminders on time), and, since time() lags the precise clock by
/// up to a scheduler tick, a job due by the precise clock but not yet by
/// `now` is looked for again after 2 ms. An injected clock sleeps the whole
/// seconds between `now` and `next`.
std::chrono::milliseconds until_due(std::int64_t next, std::int64_t now) {
    using namespace std::chrono;
    if (next <= now) return milliseconds(0);
    const auto wall = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
    const auto wall_seconds = duration_cast<seconds>(wall).count();
    if (wall_seconds < now - 1 || wall_seconds > now + 1) return seconds(next - now);
    return std::max(milliseconds(2), duration_cast<milliseconds>(seconds(next)) - wall);
}

}  // namespace

std::string node_worker_name(std::string_view role) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return std::string(role) + "@" + host;
}

std::chrono::milliseconds delivery_lateness(const caldav::JobRecord& job) {
    using namespace std::chrono;
    const auto due = seconds(job.attempts == 0 ? job.due_at : job.created_at);
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch() - due);
}

std::int64_t RetryPolicy::delay_after(std::int64_t attempt) const {
    std::int64_t delay = std::max<std::int64_t>(first_delay, 1);
    for (std::int64_t i = 1; i < attempt && delay < max_delay; ++i) delay *= 2;
    return std::min(delay, max_delay);
}

JobRunner::JobRunner(caldav::JobStore& store, JobClock clock, JobRunnerOptions options)
    : store_(store), clock_(std::move(clock)), options_(std::move(options)) {}

JobRunner::~JobRunner() { stop(); }

void JobRunner::handle(const std::string& kind, JobHandler handler, RetryPolicy retry) {
    kinds_[kind] = {std::move(handler), retry};
    kind_names_.clear();
    for (const auto& [name, k] : kinds_) kind_names_.push_back(name);
}

std::size_t JobRunner::run_due_at(std::int64_t now) {
    auto jobs = store_.lease_jobs(kind_names_, now, now + options_.lease_seconds, options_.worker,
                                  options_.batch);
    const auto threads = std::min(options_.parallel, jobs.size());
    if (threads <= 1) {
        for (const auto& job : jobs) run_one(job, now);
        return jobs.size();
    }
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (auto i = next++; i < jobs.size(); i = next++) run_one(jobs[i], now);
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& h : helpers) h.join();
    return jobs.size();
}

void JobRunner::run_one(const caldav::JobRecord& job, std::int64_t now) {
    const auto& kind = kinds_.at(job.kind);
    JobOutcome outcome;
    try {
        outcome = kind.handler(job, now);
    } catch (const std::exception& e) {
        outcome = JobOutcome::retry(e.what());
    }
    try {
        finish(job, kind, std::move(outcome), now);
    } catch (const std::exception& e) {
        give_back(job, now, e.what());
    }
}

void JobRunner::give_back(const caldav::JobRecord& job, std::int64_t now, const std::string& why) {
    log::warn("job " + std::to_string(job.id) + " (" + job.kind + "): could not record its outcome: " + why);
    // Nothing of the outcome was committed (the store's transaction rolled
    // back), so the job runs again, soon, rather than staying leased to us
    // until its lease ends. A delivery's key keeps that run from delivering
    // twice. If even this fails, the lease's end frees the job.
    try {
        store_.retry_job(job.id, options_.worker, now + 1, "outcome not recorded: " + why);
    } catch (const std::exception&) {
    }
}

void JobRunner::finish(const caldav::JobRecord& job, const Kind& kind, JobOutcome outcome,
                       std::int64_t now) {
    caldav::StoreStatus status = caldav::StoreStatus::ok;
    const auto attempt = job.attempts + 1;
    if (outcome.kind == JobOutcome::Kind::retry && attempt >= kind.retry.max_attempts)
        outcome = JobOutcome::fail(outcome.error + " (" + std::to_string(attempt) + " attempts)");
    switch (outcome.kind) {
        case JobOutcome::Kind::done:
            if (outcome.next.empty() && outcome.delivery_key.empty()) {
                status = store_.complete_job(job.id, options_.worker);
                break;
            }
            status = store_.complete_job_with(job.id, options_.worker, outcome.next, outcome.delivery_key, now);
            if (status == caldav::StoreStatus::exists)
                log::info("job " + std::to_string(job.id) + " (" + job.kind + ") was delivered before: not again");
            if (status == caldav::StoreStatus::ok && !outcome.next.empty() && after_enqueue_) after_enqueue_();
            break;
        case JobOutcome::Kind::retry:
            status = store_.retry_job(job.id, options_.worker, now + kind.retry.delay_after(attempt),
                                      outcome.error);
            break;
        case JobOutcome::Kind::fail:
            log::warn("job " + std::to_string(job.id) + " (" + job.kind + ") failed: " + outcome.error);
            status = store_.fail_job(job.id, options_.worker, now, outcome.error);
            break;
    }
    // Its lease ran out while it ran and another worker holds it now: that
    // worker's run decides (the handler must tolerate running twice then).
    if (status == caldav::StoreStatus::not_found)
        log::warn("job " + std::to_string(job.id) + " (" + job.kind + ") outlived its lease");
    else if (status != caldav::StoreStatus::ok && status != caldav::StoreStatus::exists)
        give_back(job, now, "store status " + std::to_string(static_cast<int>(status)));
}

void JobRunner::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void JobRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void JobRunner::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void JobRunner::loop() {
    for (;;) {
        std::size_t ran = 0;
        try {
            ran = run_due();
        } catch (const std::exception& e) {
            log::warn(std::string("job runner: ") + e.what());
        }
        auto wait = options_.idle_poll;
        if (ran == 0) {
            // Until the next job is due, measured on the injected clock.
            if (auto next = store_.next_job_due(kind_names_)) wait = std::min(wait, until_due(*next, clock_()));
        } else {
            wait = std::chrono::milliseconds(0);  // more may be due
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
        woken_ = false;
        if (stopping_) return;
    }
}

}  // namespace server

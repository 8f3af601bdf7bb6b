// Reminder delivery on the job queue (issue 26 §2-§5).
#include "src/jobs/reminder_worker.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <limits>

#include "ical/calendar_data.hpp"
#include "ical/event_spec.hpp"
#include "ical/libical_text.hpp"
#include "ical/local_time.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"
#include "src/mail/imip_mail.hpp"
#include "src/mail/reminder_mail.hpp"
#include "src/util/log.hpp"
#include "src/util/metrics.hpp"

namespace server {

namespace {

constexpr std::int64_t unbounded = std::numeric_limits<std::int64_t>::max();

JobRunnerOptions runner_options(const ReminderWorkerConfig& c) {
    JobRunnerOptions o;
    o.worker = c.worker;
    o.lease_seconds = 60;  // a run takes milliseconds; a crashed worker's jobs wait at most this
    o.batch = 256;
    o.idle_poll = std::chrono::seconds(1);
    // Several at a time, so that their completions share the store's group
    // commit (one fsync for many): 2.5 times the rate of one at a time
    // (bench/RESULTS.md, issue 26). What a run shares with the others is
    // safe on several threads: the store (a writer queue and a reader pool),
    // libical behind the zone resolver's lock, GMime initialised once
    // (ensure_gmime) with one message object per run, and the metrics'
    // atomics. Each reminder is its own job: its lease, its delivery key and
    // its mail or push jobs are committed together, whatever the others do.
    o.parallel = 4;
    return o;
}

/// What the message shows of the instance.
struct EventDetails {
    ical::EventView view;
    std::string join_url;
};

/// UTC seconds of a RECURRENCE-ID text ("20240105T150000Z", "20240105").
std::optional<std::int64_t> rid_seconds(const std::string& rid) {
    if (rid.empty()) return std::nullopt;
    icaltimetype t = icaltime_from_string(rid.c_str());
    if (icaltime_is_null_time(t)) return std::nullopt;
    bool floating = false;
    return ical::to_utc(t, nullptr, floating);
}

/// The join link: the component's CONFERENCE (RFC 7986 §5.11), else its URL.
std::string join_url_of(std::string_view ics) {
    auto calendar = ical::parse_with_libical(ics);
    if (!calendar) return "";
    icalcomponent* c = icalcomponent_get_first_component(calendar.get(), ICAL_VEVENT_COMPONENT);
    if (!c) c = icalcomponent_get_first_component(calendar.get(), ICAL_VTODO_COMPONENT);
    if (!c) return "";
    std::string url;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        auto name = ical::property_name_of(p);
        if (name == "CONFERENCE") return ical::text_or(icalproperty_get_value_as_string(p));
        if (name == "URL" && url.empty()) url = ical::text_or(icalproperty_get_value_as_string(p));
    }
    return url;
}

constexpr const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// "Mon 7 Dec 2026, 08:45 (America/New_York)"; all-day: the date alone.
std::string local_time_text(std::int64_t utc, bool all_day, const ical::ZoneClock& zone) {
    std::int64_t wall = all_day ? utc : zone.wall_of(utc);
    std::int64_t days = ical::floor_div(wall, 86400), seconds = wall - days * 86400;
    auto date = ical::civil_from_days(days);
    std::string out = std::string(weekdays[((days % 7) + 7) % 7]) + " " + std::to_string(date.day) + " " +
                      months[date.month - 1] + " " + std::to_string(date.year);
    if (all_day) return out;
    char hm[8];
    std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60));
    return out + ", " + hm + " (" + zone.name() + ")";
}

/// "in 15 minutes", "in 2 hours", "in 3 days"; empty once begun.
std::string starts_in(std::int64_t seconds) {
    if (seconds <= 0) return "";
    auto plural = [](std::int64_t n, const char* unit) {
        return "in " + std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
    };
    std::int64_t minutes = (seconds + 59) / 60;
    if (minutes < 120) return plural(minutes, "minute");
    if (minutes < 48 * 60) return plural((minutes + 30) / 60, "hour");
    return plural((minutes + 720) / 1440, "day");
}

/// The recipient's zone: the calendar's calendar-timezone, else the event's,
/// else the owner's (their default calendar's), else the server's default
/// (`fallback`): the last two are where floating events remind.
ical::ZoneClock zone_for(caldav::Store& store, std::int64_t owner_id, const caldav::Reminder& r,
                         const ical::EventView& view, const std::string& fallback) {
    if (auto calendar = store.find_collection(owner_id, r.collection_name); calendar && !calendar->timezone.empty())
        if (auto name = ical::zone_of_calendar_timezone(calendar->timezone))
            if (auto zone = ical::ZoneClock::named(*name)) return *zone;
    if (auto zone = ical::ZoneClock::named(view.time_zone)) return *zone;
    if (auto zone = ical::ZoneClock::named(caldav::owner_time_zone(store, owner_id))) return *zone;
    return ical::ZoneClock::named(fallback).value_or(ical::ZoneClock{});
}

std::string event_url(const ReminderWorkerConfig& c, const caldav::Reminder& r) {
    if (c.public_url.empty()) return "";
    return c.public_url + "/dav/calendars/" + r.owner_name + "/" + r.collection_name + "/" + r.object_name;
}

}  // namespace

caldav::ReminderPolicy reminder_policy(const ReminderConfig& c, const std::string& time_zone) {
    caldav::ReminderPolicy p;
    p.time_zone = time_zone;
    p.horizon_seconds = std::int64_t{c.horizon_days} * 86400;
    p.display_alarms = c.display_alarms;
    p.skip_after_seconds = std::int64_t{c.skip_after_minutes} * 60;
    p.extend_every_seconds = std::int64_t{c.extend_minutes} * 60;
    return p;
}

caldav::ReminderIndexer reminder_indexer(const caldav::ReminderPolicy& policy, JobClock clock) {
    return [policy, clock = std::move(clock)](const caldav::ReminderSource& source) {
        return caldav::schedule_reminders(source, clock(), policy);
    };
}

ReminderWorker::ReminderWorker(caldav::Store& store, caldav::JobStore& jobs, ReminderWorkerConfig config,
                               JobClock clock)
    : store_(store), jobs_(jobs), config_(std::move(config)), runner_(jobs, std::move(clock), runner_options(config_)) {
    if (auto n = jobs_.release_leases(config_.worker); n > 0)
        log::info("reminders: took back " + std::to_string(n) + " jobs an earlier run of '" + config_.worker +
                  "' held");
    // A delivery enqueues jobs; a failure to do so is retried soon, and a
    // reminder late past skip-after is dropped by its next run.
    RetryPolicy retry{5, 60, 20};
    runner_.handle(std::string(caldav::reminder_job_kind),
                   [this](const caldav::JobRecord& job, std::int64_t now) { return deliver(job, now); }, retry);
    runner_.handle(std::string(caldav::reminder_horizon_job_kind),
                   [this](const caldav::JobRecord& job, std::int64_t now) { return extend(job, now); }, retry);
}

void ReminderWorker::ensure_horizon_job(std::int64_t now) {
    if (!jobs_.list_jobs(caldav::reminder_horizon_job_kind).empty()) return;
    jobs_.enqueue_jobs({{std::string(caldav::reminder_horizon_job_kind), 0, now, ""}});
}

JobOutcome ReminderWorker::deliver(const caldav::JobRecord& job, std::int64_t now) {
    auto r = caldav::reminder_of_payload(job.payload);
    if (!r) return JobOutcome::fail("not a reminder payload");
    const std::string what = "reminder " + std::to_string(job.id) + " (" + r->object_name + " " + r->recurrence_id + ")";
    const auto channel = r->method == caldav::ReminderMethod::push ? metrics::Channel::push : metrics::Channel::email;
    if (r->instance_end != unbounded && now >= r->instance_end && r->instance_end > r->trigger_at) {
        log::info(what + ": skipped, the event ended before it could be sent");
        metrics::registry().record_delivery_failure(channel, metrics::DeliveryFailure::late);
        return JobOutcome::done();
    }
    if (now - r->trigger_at > config_.policy.skip_after_seconds) {
        log::info(what + ": skipped, " + std::to_string(now - r->trigger_at) + " s late");
        metrics::registry().record_delivery_failure(channel, metrics::DeliveryFailure::late);
        return JobOutcome::done();
    }
    // The e-mail or push is due when the reminder was: its lateness (the
    // delivery metrics) counts from the trigger, whenever this run comes.
    const std::int64_t due = std::min(r->trigger_at, now);
    auto object = store_.find_object(r->collection_id, r->object_name, true);
    if (!object) return JobOutcome::done();  // deleted meanwhile (its jobs go with it)
    auto view = ical::read_event(object->data, rid_seconds(r->recurrence_id)).value_or(ical::EventView{});
    if (view.title.empty()) view.title = object->uid;
    const auto zone = zone_for(store_, job.owner_id, *r, view, config_.policy.time_zone);
    std::vector<caldav::NewJob> next;
    if (r->method == caldav::ReminderMethod::push) {
        boost::json::object message{{"title", view.title},
                                    {"body", (view.location.empty() ? std::string() : view.location + ", ") +
                                                 local_time_text(r->instance_start, view.all_day, zone)},
                                    {"url", event_url(config_, *r)},
                                    {"tag", caldav::reminder_delivery_key(*r)}};
        // Not shown (the push worker takes it out): the push service keeps
        // the message no longer than the event lasts (its TTL). Alarms at or
        // after the end (a to-do's) are not bounded so.
        if (r->instance_end != unbounded && r->instance_end > r->trigger_at) message["expires"] = r->instance_end;
        next.push_back({std::string(caldav::webpush_job_kind), job.owner_id, due, boost::json::serialize(message)});
    } else if (config_.mail_from.empty()) {
        log::warn(what + ": no [smtp] relay, the e-mail reminder is not sent");
        metrics::registry().record_delivery_failure(channel, metrics::DeliveryFailure::refused);
        return JobOutcome::done();
    } else {
        ReminderMailContent content{config_.mail_from, "", view.title,
                                    local_time_text(r->instance_start, view.all_day, zone),
                                    starts_in(r->instance_start - now), view.location, join_url_of(object->data),
                                    event_url(config_, *r)};
        for (const auto& to : r->recipients) {
            content.recipient = to;
            caldav::OutgoingMail m{job.owner_id, object->uid, to, mailbox_address(config_.mail_from),
                                   compose_reminder_message(content)};
            next.push_back({std::string(caldav::mail_job_kind), job.owner_id, due, caldav::mail_job_payload(m)});
        }
    }
    log::info(what + ": delivered " + std::to_string(now - r->trigger_at) + " s after due");
    return JobOutcome::done_with(std::move(next), caldav::reminder_delivery_key(*r));
}

JobOutcome ReminderWorker::extend(const caldav::JobRecord&, std::int64_t now) {
    const auto& p = config_.policy;
    // Extended a little before the horizon is reached, in batches, so that
    // no reminder is queued later than horizon - extend_every ahead.
    std::size_t extended = 0;
    while (auto n = jobs_.extend_reminders(now + p.horizon_seconds - p.extend_every_seconds, 500)) extended += n;
    if (extended) log::info("reminders: extended the horizon of " + std::to_string(extended) + " objects");
    jobs_.prune_deliveries(now - p.keep_deliveries_seconds);
    return JobOutcome::done_with({{std::string(caldav::reminder_horizon_job_kind), 0, now + p.extend_every_seconds, ""}},
                                 "");
}

}  // namespace server

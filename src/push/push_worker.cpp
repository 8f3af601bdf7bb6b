// The push jobs' sender (issue 26 §5): "webpush" reminders and "davpush"
// collection changes (draft-bitfire-webdav-push), on the job queue.
#include "src/push/push_worker.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <optional>

#include "caldav/properties.hpp"
#include "caldav/webdav_push.hpp"
#include "src/util/log.hpp"
#include "src/util/metrics.hpp"

namespace server {

namespace json = boost::json;

namespace {

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

JobRunnerOptions runner_options(const PushWorkerOptions& o) {
    JobRunnerOptions r;
    r.worker = node_worker_name("push");
    r.lease_seconds = o.timeout_seconds * 4 + 60;  // a run may send to a few subscriptions
    r.parallel = std::max<std::size_t>(o.connections, 1);
    r.batch = std::max<std::size_t>(16, 4 * r.parallel);
    r.idle_poll = o.idle_poll;
    return r;
}

/// A "webpush" job's payload read: the message the subscriber decrypts, and
/// our own members around it.
struct WebPushJob {
    json::object stored;       ///< the payload without "subscription" (what a split retry carries)
    std::string message;       ///< the payload without our own members: what is encrypted
    std::int64_t only = 0;     ///< "subscription": a retry aimed at one subscription; 0: all
    std::optional<std::int64_t> expires;  ///< "expires": when the event ends; no use after
    std::string topic;         ///< from "tag" (the reminder's delivery key); empty without one
};

std::optional<WebPushJob> webpush_job_of(const std::string& payload) {
    boost::system::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return std::nullopt;
    WebPushJob out;
    out.stored = std::move(v.as_object());
    if (auto* s = out.stored.if_contains("subscription"); s && s->is_int64()) out.only = s->as_int64();
    out.stored.erase("subscription");
    json::object message = out.stored;
    if (auto* e = message.if_contains("expires"); e && e->is_int64()) out.expires = e->as_int64();
    message.erase("expires");
    if (auto* t = message.if_contains("tag"); t && t->is_string()) out.topic = push::topic_of(t->as_string());
    out.message = json::serialize(message);
    return out;
}
}  // namespace

PushWorker::PushWorker(caldav::JobStore& jobs, caldav::PushStore& subscriptions, push::EcKey vapid,
                       PushWorkerOptions options, JobClock clock)
    : jobs_(jobs),
      subscriptions_(subscriptions),
      vapid_(std::move(vapid)),
      public_key_(push::base64url_encode(vapid_.public_bytes())),
      options_(std::move(options)),
      runner_(jobs, clock ? std::move(clock) : JobClock(&now_seconds), runner_options(options_)) {
    // As the mail worker: what an earlier process held is sent now.
    if (auto n = jobs_.release_leases(node_worker_name("push")); n > 0)
        log::info("push: took back " + std::to_string(n) + " jobs an earlier run held");
    runner_.handle(std::string(caldav::webpush_job_kind),
                   [this](const caldav::JobRecord& job, std::int64_t now) { return send_reminder(job, now); },
                   options_.retry);
    runner_.handle(std::string(caldav::davpush_job_kind),
                   [this](const caldav::JobRecord& job, std::int64_t now) { return send_collection_change(job, now); },
                   options_.retry);
}

push::DeliveryResult PushWorker::send_one(const caldav::PushSubscription& s, const std::string& payload,
                                          const std::string& urgency, const std::string& topic, std::int64_t ttl,
                                          std::int64_t now) {
    push::PushMessage m{s.endpoint, s.p256dh, s.auth, payload, ttl, urgency, topic};
    push::PushSender sender{&vapid_, options_.subject, options_.allow_http, options_.timeout_seconds};
    auto r = push::deliver(m, sender, now);
    using K = push::DeliveryResult::Kind;
    const auto who = "push: subscription " + std::to_string(s.id) + " of principal " + std::to_string(s.owner_id);
    switch (r.kind) {
    case K::delivered: subscriptions_.push_delivered(s.id, now); break;
    case K::gone:
        // RFC 8030 §7.3: the push service ended the subscription.
        subscriptions_.remove_push_subscription(s.owner_id, s.id);
        log::info(who + " is gone (" + std::to_string(r.status) + "); removed");
        break;
    case K::rejected: log::warn(who + ": message refused for good: " + r.error); break;
    case K::retry: log::info(who + ": will retry: " + r.error); break;
    }
    return r;
}

void PushWorker::record(const caldav::JobRecord& job, push::DeliveryResult::Kind kind) const {
    using K = push::DeliveryResult::Kind;
    using F = metrics::DeliveryFailure;
    auto& m = metrics::registry();
    switch (kind) {
    case K::delivered: m.record_delivery(metrics::Channel::push, delivery_lateness(job)); break;
    case K::gone: m.record_delivery_failure(metrics::Channel::push, F::gone); break;
    case K::rejected: m.record_delivery_failure(metrics::Channel::push, F::refused); break;
    case K::retry:
        m.record_delivery_failure(metrics::Channel::push,
                                  job.attempts + 1 >= options_.retry.max_attempts ? F::given_up : F::retry);
        break;
    }
}

JobOutcome PushWorker::send_reminder(const caldav::JobRecord& job, std::int64_t now) {
    auto reminder = webpush_job_of(job.payload);
    if (!reminder) return JobOutcome::fail("a webpush payload must be a JSON object");
    if (reminder->message.size() > push::max_plaintext_bytes)
        return JobOutcome::fail("the reminder is too long to push");
    // RFC 8030 §5.2: kept by the push service no longer than the event lasts.
    std::int64_t ttl = options_.ttl_seconds;
    if (reminder->expires) {
        if (*reminder->expires <= now) {
            metrics::registry().record_delivery_failure(metrics::Channel::push, metrics::DeliveryFailure::late);
            return JobOutcome::done();  // the event is over: a reminder of it helps nobody
        }
        ttl = std::min(ttl, *reminder->expires - now);
    }
    std::vector<caldav::PushSubscription> targets;
    for (auto& s : subscriptions_.push_subscriptions_of(job.owner_id))
        if (reminder->only == 0 || s.id == reminder->only) targets.push_back(std::move(s));
    std::vector<std::int64_t> again;
    std::string last_error;
    for (const auto& s : targets) {
        auto r = send_one(s, reminder->message, "high", reminder->topic, ttl, now);
        record(job, r.kind);
        if (r.kind == push::DeliveryResult::Kind::retry) {
            again.push_back(s.id);
            last_error = r.error;
        }
    }
    if (again.empty()) return JobOutcome::done();
    // None took it: the job itself retries. Some did: the others get a job
    // each, so the ones that took it are not sent it twice.
    if (again.size() == targets.size()) return JobOutcome::retry(last_error);
    std::vector<caldav::NewJob> split;
    for (auto id : again) {
        auto o = reminder->stored;
        o["subscription"] = id;
        split.push_back({std::string(caldav::webpush_job_kind), job.owner_id, now + options_.retry.first_delay,
                         json::serialize(o)});
    }
    if (jobs_.enqueue_jobs(split) != caldav::StoreStatus::ok) return JobOutcome::retry("could not queue the retries");
    return JobOutcome::done();
}

JobOutcome PushWorker::send_collection_change(const caldav::JobRecord& job, std::int64_t now) {
    std::int64_t collection_id = 0;
    auto [end, ec] = std::from_chars(job.payload.data(), job.payload.data() + job.payload.size(), collection_id);
    if (ec != std::errc() || end != job.payload.data() + job.payload.size())
        return JobOutcome::fail("a davpush payload must be a collection id");
    subscriptions_.prune_push_subscriptions(now, 100);
    auto revision = subscriptions_.collection_revision(collection_id);
    if (!revision) return JobOutcome::done();  // deleted since: its registrations went with it
    caldav::CollectionRecord c;
    c.id = collection_id;
    const auto own_topic = caldav::push_topic(collection_id);
    const auto token = caldav::sync_token(c, *revision);
    std::string last_error;
    for (const auto& s : subscriptions_.collection_push_subscriptions(collection_id, now)) {
        // A registration that followed its calendar's MOVE keeps the topic
        // its client knows the calendar by (clients skip topics they do not know).
        const auto& topic = s.topic.empty() ? own_topic : s.topic;
        // A repeated "it changed" is harmless (clients compare the sync-token),
        // so a retry sends to all again, with the newest revision.
        auto r = send_one(s, caldav::push_message(topic, token), "normal", topic, options_.ttl_seconds, now);
        if (r.kind == push::DeliveryResult::Kind::retry) last_error = r.error;
    }
    if (!last_error.empty()) return JobOutcome::retry(last_error);
    return JobOutcome::done();
}

}  // namespace server

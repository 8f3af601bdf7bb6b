// The job queue listed for operators (issue 26 §7).
#include "src/cli/jobs_command.hpp"

#include <ctime>
#include <map>

namespace server {

namespace {

std::string rfc3339(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string state_of(const caldav::JobRecord& j, std::int64_t now) {
    if (j.failed_at) return "failed";
    if (j.lease_until >= now) return "leased";
    return j.due_at <= now ? "due" : "waiting";
}

}  // namespace

int jobs_list(caldav::JobStore& store, std::int64_t now, const std::string& kind, bool all, std::ostream& out) {
    std::map<std::string, std::size_t> counts;
    for (const auto& j : store.list_jobs(kind)) {
        auto state = state_of(j, now);
        ++counts[state];
        if (state == "waiting" && !all) continue;
        std::string error = j.last_error.empty() ? "-" : j.last_error;
        for (auto& c : error)
            if (c == '\n' || c == '\t') c = ' ';
        out << j.id << "\t" << j.kind << "\t" << state << "\t" << rfc3339(j.due_at) << "\t" << j.owner_id << "\t"
            << j.attempts << "\t" << error << "\n";
    }
    out << "# due " << counts["due"] << ", leased " << counts["leased"] << ", failed " << counts["failed"]
        << ", waiting " << counts["waiting"] << "\n";
    return 0;
}

}  // namespace server

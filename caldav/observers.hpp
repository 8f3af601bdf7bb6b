// Hooks through which the server times and counts what happens inside the
// protocol layer for /metrics (issue 29 §1), without caldav/ knowing about
// the metrics registry (STYLE.md §1: caldav/ never uses src/).
#pragma once
#include <atomic>
#include <chrono>

namespace caldav {

/// Where an iTIP message goes: a local user's inbox, or e-mail (iMIP).
enum class DeliveryRoute { local, imip };

/// Functions the server sets once at startup; a null one is not called.
/// Each may be called from any thread and must be cheap and noexcept.
struct Observers {
    /// The time one conflict check (find_conflicts, an edit's check) took.
    std::atomic<void (*)(std::chrono::steady_clock::duration) noexcept> conflict_detection{nullptr};
    /// One iTIP message planned into an inbox or queued as iMIP mail
    /// (`delivered`), or one that could not be (no inbox, no relay).
    std::atomic<void (*)(DeliveryRoute, bool delivered) noexcept> scheduling_delivery{nullptr};
};

/// The process's observers.
inline Observers& observers() {
    static Observers o;
    return o;
}

/// Reports to observers().conflict_detection the time from its construction to its end.
class ConflictTimer {
public:
    ConflictTimer() = default;
    ~ConflictTimer() {
        if (auto f = observers().conflict_detection.load(std::memory_order_relaxed))
            f(std::chrono::steady_clock::now() - started_);
    }
    ConflictTimer(const ConflictTimer&) = delete;
    ConflictTimer& operator=(const ConflictTimer&) = delete;

private:
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// Tells observers().scheduling_delivery of one delivery; returns `delivered`.
inline bool observe_delivery(DeliveryRoute route, bool delivered) {
    if (auto f = observers().scheduling_delivery.load(std::memory_order_relaxed)) f(route, delivered);
    return delivered;
}

}  // namespace caldav

// RRULE iteration (RFC 5545 §3.3.10). DAILY, HOURLY, MINUTELY and SECONDLY rules
// run on our own iterator, which skips whole days, hours and minutes that the
// BY-parts exclude (libical 3.0 steps one period at a time and can spin for
// minutes inside one call on FREQ=SECONDLY;BYMONTH=12). WEEKLY, MONTHLY and
// YEARLY rules run on icalrecur_iterator, after a check that their day-level
// BY-parts can match at all.
#include "ical/recurrence.hpp"

#include "ical/zone_resolver.hpp"

#include <algorithm>
#include <bitset>

namespace ical {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t day_seconds = 86400;
constexpr std::int64_t last_wall = 253402300799;  // 9999-12-31T23:59:59
constexpr int feasibility_days = 3000;            // > 8 years: covers Feb 29 across 2100

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

struct Civil {
    int year, month, day;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    std::int64_t era = floor_div(z, 146097);
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

/// libical weekday number (SUNDAY = 1 … SATURDAY = 7); day 0 was a Thursday.
int weekday(std::int64_t days) { return static_cast<int>(days + 4 - floor_div(days + 4, 7) * 7) + 1; }

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}
int day_of_year(const Civil& c) {
    int n = c.day;
    for (int m = 1; m < c.month; ++m) n += days_in_month(c.year, m);
    return n;
}

template <std::size_t N>
std::vector<int> list_of(const short (&by)[N]) {
    std::vector<int> out;
    for (std::size_t i = 0; i < N && by[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) out.push_back(by[i]);
    return out;
}

/// The day-level BY-parts as a predicate on days (BYDAY ordinals ignored, so
/// for MONTHLY/YEARLY rules it accepts a superset of the real days).
struct DayFilter {
    std::bitset<13> months;
    bool any_month = true;
    std::vector<int> month_days;
    std::vector<int> year_days;
    std::bitset<8> weekdays;  // libical numbering, SUNDAY = 1
    bool any_weekday = true;

    explicit DayFilter(const icalrecurrencetype& r) {
        for (int m : list_of(r.by_month)) {
            any_month = false;
            months.set(static_cast<std::size_t>(icalrecurrencetype_month_month(static_cast<short>(m)) % 13));
        }
        month_days = list_of(r.by_month_day);
        year_days = list_of(r.by_year_day);
        for (int d : list_of(r.by_day)) {
            any_weekday = false;
            weekdays.set(static_cast<std::size_t>(icalrecurrencetype_day_day_of_week(static_cast<short>(d))));
        }
    }

    bool matches(std::int64_t days) const {
        Civil c = civil_from_days(days);
        if (!any_month && !months.test(static_cast<std::size_t>(c.month))) return false;
        if (!any_weekday && !weekdays.test(static_cast<std::size_t>(weekday(days)))) return false;
        if (!month_days.empty()) {
            int dim = days_in_month(c.year, c.month);
            if (std::none_of(month_days.begin(), month_days.end(),
                             [&](int v) { return v == c.day || (v < 0 && dim + 1 + v == c.day); }))
                return false;
        }
        if (!year_days.empty()) {
            int diy = is_leap(c.year) ? 366 : 365;
            int yd = day_of_year(c);
            if (std::none_of(year_days.begin(), year_days.end(),
                             [&](int v) { return v == yd || (v < 0 && diy + 1 + v == yd); }))
                return false;
        }
        return true;
    }

    bool feasible_from(std::int64_t first_day) const {
        for (int i = 0; i < feasibility_days; ++i)
            if (matches(first_day + i)) return true;
        return false;
    }
};

/// DAILY and finer rules: period k is the day/hour/minute/second containing
/// DTSTART + k·INTERVAL units; finer BY-parts expand it, coarser ones limit it.
class FastIterator final : public RuleIterator {
public:
    FastIterator(const icalrecurrencetype& r, icaltimetype dtstart, int level)
        : days_(r), level_(level), origin_(wall_seconds(dtstart)) {
        static constexpr std::int64_t units[] = {1, 60, 3600, day_seconds};
        unit_ = units[level];
        step_ = unit_ * std::max<std::int64_t>(1, r.interval);
        count_left_ = r.count > 0 ? r.count : -1;
        is_date_ = dtstart.is_date;
        auto field = [&](const std::vector<int>& by, int own, int lvl, std::vector<int>& expand, std::bitset<61>& limit,
                         bool& limited) {
            if (lvl < level_) {
                expand = by.empty() || is_date_ ? std::vector<int>{own} : by;
                std::sort(expand.begin(), expand.end());
                expand.erase(std::unique(expand.begin(), expand.end()), expand.end());
            } else if (!by.empty() && !is_date_) {
                limited = true;
                for (int v : by) limit.set(static_cast<std::size_t>(v));
            }
        };
        field(list_of(r.by_second), dtstart.second, 0, seconds_, second_limit_, second_limited_);
        field(list_of(r.by_minute), dtstart.minute, 1, minutes_, minute_limit_, minute_limited_);
        field(list_of(r.by_hour), dtstart.hour, 2, hours_, hour_limit_, hour_limited_);
        set_positions_ = list_of(r.by_set_pos);
        feasible_ = days_.feasible_from(floor_div(origin_, day_seconds));
    }

    void skip_to(std::int64_t wall) override {
        if (count_left_ >= 0 || wall <= origin_) return;
        std::int64_t k = floor_div(wall - origin_, step_);
        if (k > k_) {
            k_ = k;
            pending_.clear();
            pending_pos_ = 0;
        }
    }

    std::optional<std::int64_t> next(Clock::time_point deadline) override {
        std::size_t spins = 0;
        while (feasible_ && count_left_ != 0) {
            if (pending_pos_ < pending_.size()) {
                if (count_left_ > 0) --count_left_;
                return pending_[pending_pos_++];
            }
            if (++spins % 1024 == 0 && Clock::now() > deadline) {
                timed_out_ = true;
                return std::nullopt;
            }
            if (!fill_period()) return std::nullopt;
        }
        return std::nullopt;
    }

private:
    /// Moves k_ to the first period starting at or after `boundary`.
    void jump_to(std::int64_t boundary) { k_ = std::max(k_ + 1, ceil_div(boundary - origin_, step_)); }

    /// Fills pending_ with period k_'s occurrences (maybe none) and advances k_;
    /// false once periods pass year 9999.
    bool fill_period() {
        pending_.clear();
        pending_pos_ = 0;
        std::int64_t p = origin_ + k_ * step_;
        std::int64_t start = p - (p - floor_div(p, unit_) * unit_);
        if (start > last_wall) return false;
        std::int64_t day = floor_div(start, day_seconds);
        std::int64_t in_day = start - day * day_seconds;
        int hour = static_cast<int>(in_day / 3600), minute = static_cast<int>(in_day / 60 % 60);
        int second = static_cast<int>(in_day % 60);
        if (!days_.matches(day)) return jump_to((day + 1) * day_seconds), true;
        if (hour_limited_ && !hour_limit_.test(static_cast<std::size_t>(hour)))
            return jump_to(day * day_seconds + (hour + 1) * 3600), true;
        if (minute_limited_ && !minute_limit_.test(static_cast<std::size_t>(minute)))
            return jump_to(day * day_seconds + hour * 3600 + (minute + 1) * 60), true;
        if (second_limited_ && !second_limit_.test(static_cast<std::size_t>(second))) return ++k_, true;
        ++k_;
        const std::vector<int> own_hour{hour}, own_minute{minute}, own_second{second};
        const auto& hs = level_ > 2 ? hours_ : own_hour;
        const auto& ms = level_ > 1 ? minutes_ : own_minute;
        const auto& ss = level_ > 0 ? seconds_ : own_second;
        for (int h : hs)
            for (int m : ms)
                for (int s : ss)
                    if (h < 24 && m < 60 && s < 60) pending_.push_back(day * day_seconds + h * 3600 + m * 60 + s);
        if (!set_positions_.empty()) {
            std::vector<std::int64_t> chosen;
            auto n = static_cast<int>(pending_.size());
            for (int pos : set_positions_) {
                int i = pos > 0 ? pos - 1 : n + pos;
                if (i >= 0 && i < n) chosen.push_back(pending_[static_cast<std::size_t>(i)]);
            }
            std::sort(chosen.begin(), chosen.end());
            chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
            pending_ = std::move(chosen);
        }
        // RFC 5545 §3.3.10: occurrences before DTSTART are not part of the set.
        pending_.erase(std::remove_if(pending_.begin(), pending_.end(), [&](std::int64_t t) { return t < origin_; }),
                       pending_.end());
        return true;
    }

    DayFilter days_;
    int level_;
    std::int64_t origin_;
    std::int64_t unit_ = 1, step_ = 1;
    std::int64_t k_ = 0;
    int count_left_ = -1;
    bool is_date_ = false;
    bool feasible_ = true;
    std::vector<int> hours_, minutes_, seconds_;
    std::bitset<61> hour_limit_, minute_limit_, second_limit_;
    bool hour_limited_ = false, minute_limited_ = false, second_limited_ = false;
    std::vector<int> set_positions_;
    std::vector<std::int64_t> pending_;
    std::size_t pending_pos_ = 0;
};

/// A rule whose BY-parts match no day at all (BYMONTH=2;BYMONTHDAY=30).
class EmptyIterator final : public RuleIterator {
public:
    void skip_to(std::int64_t) override {}
    std::optional<std::int64_t> next(Clock::time_point) override { return std::nullopt; }
};

/// WEEKLY, MONTHLY and YEARLY rules on libical's iterator.
class LibicalIterator final : public RuleIterator {
public:
    LibicalIterator(icalrecur_iterator* it, const icalrecurrencetype& r, icaltimetype dtstart)
        : it_(it), dtstart_(dtstart), counted_(r.count > 0) {}
    ~LibicalIterator() override { icalrecur_iterator_free(it_); }
    LibicalIterator(const LibicalIterator&) = delete;
    LibicalIterator& operator=(const LibicalIterator&) = delete;

    void skip_to(std::int64_t wall) override {
        if (counted_ || wall <= wall_seconds(dtstart_) + 7 * day_seconds) return;
        // Jump to the start of the day: libical keeps the rule's phase
        // (INTERVAL) for WEEKLY and coarser rules and DTSTART's time of day.
        icaltimetype jump = wall_to_icaltime(floor_div(wall, day_seconds) * day_seconds, dtstart_.is_date);
        jump.zone = dtstart_.zone;
        icalrecur_iterator_set_start(it_, jump);
    }

    std::optional<std::int64_t> next(Clock::time_point deadline) override {
        if (Clock::now() > deadline) {
            timed_out_ = true;
            return std::nullopt;
        }
        icaltimetype t = icalrecur_iterator_next(it_);
        if (icaltime_is_null_time(t)) return std::nullopt;
        return wall_seconds(t);
    }

private:
    icalrecur_iterator* it_;
    icaltimetype dtstart_;
    bool counted_;
};

bool in_range(const std::vector<int>& v, int lo, int hi, bool signed_allowed) {
    return std::all_of(v.begin(), v.end(), [&](int x) {
        int a = signed_allowed && x < 0 ? -x : x;
        return a >= lo && a <= hi && (x != 0 || lo == 0);
    });
}

}  // namespace

icaltimetype wall_to_icaltime(std::int64_t wall, bool is_date) {
    std::int64_t days = floor_div(wall, day_seconds);
    std::int64_t secs = wall - days * day_seconds;
    Civil c = civil_from_days(days);
    icaltimetype t = icaltime_null_time();
    t.year = c.year;
    t.month = c.month;
    t.day = c.day;
    t.is_date = is_date ? 1 : 0;
    if (!is_date) {
        t.hour = static_cast<int>(secs / 3600);
        t.minute = static_cast<int>(secs / 60 % 60);
        t.second = static_cast<int>(secs % 60);
    }
    return t;
}

std::unique_ptr<RuleIterator> RuleIterator::make(const icalrecurrencetype& rule, icaltimetype dtstart,
                                                 std::string& error) {
    if (!in_range(list_of(rule.by_second), 0, 60, false) || !in_range(list_of(rule.by_minute), 0, 59, false) ||
        !in_range(list_of(rule.by_hour), 0, 23, false) || !in_range(list_of(rule.by_month_day), 1, 31, true) ||
        !in_range(list_of(rule.by_year_day), 1, 366, true) || !in_range(list_of(rule.by_week_no), 1, 53, true) ||
        !in_range(list_of(rule.by_set_pos), 1, 366, true)) {
        error = "RRULE has a BY-part value out of range";
        return nullptr;
    }
    if (rule.interval < 1) {
        error = "RRULE INTERVAL must be positive";
        return nullptr;
    }
    try {
        switch (rule.freq) {
            case ICAL_SECONDLY_RECURRENCE: return std::make_unique<FastIterator>(rule, dtstart, 0);
            case ICAL_MINUTELY_RECURRENCE: return std::make_unique<FastIterator>(rule, dtstart, 1);
            case ICAL_HOURLY_RECURRENCE: return std::make_unique<FastIterator>(rule, dtstart, 2);
            case ICAL_DAILY_RECURRENCE: return std::make_unique<FastIterator>(rule, dtstart, 3);
            case ICAL_WEEKLY_RECURRENCE:
            case ICAL_MONTHLY_RECURRENCE:
            case ICAL_YEARLY_RECURRENCE: {
                // libical refuses some impossible rules and spins on others.
                if (!DayFilter(rule).feasible_from(floor_div(wall_seconds(dtstart), day_seconds)))
                    return std::make_unique<EmptyIterator>();
                // UNTIL is left to the caller, who knows the zone: libical would
                // compare a UTC UNTIL with zoned wall times as wall times.
                icalrecurrencetype unbounded = rule;
                unbounded.until = icaltime_null_time();
                icalrecur_iterator* it = icalrecur_iterator_new(unbounded, dtstart);
                if (!it) break;
                return std::make_unique<LibicalIterator>(it, unbounded, dtstart);
            }
            default: break;
        }
    } catch (const std::exception&) {
        error = "out of memory expanding RRULE";
        return nullptr;
    }
    error = "RRULE is not a usable recurrence rule";
    return nullptr;
}

}  // namespace ical

// RRULE iteration (RFC 5545 §3.3.10), on our own iterators rather than
// libical 3.0's icalrecur_iterator, which steps one period at a time (it can
// spin for minutes inside one call on FREQ=SECONDLY;BYMONTH=12), refuses some
// valid rules (FREQ=YEARLY;BYWEEKNO=49) and gets BYSETPOS and ordinal BYDAY
// wrong once BYHOUR/BYMINUTE/BYSECOND expand a day. DAILY and finer rules skip
// whole days, hours and minutes that the BY-parts exclude; WEEKLY, MONTHLY and
// YEARLY rules build each period's set of days. libical still parses the rule.
#include "ical/recurrence.hpp"

#include "ical/zone_resolver.hpp"

#include <algorithm>
#include <bitset>
#include <numeric>

namespace ical {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t day_seconds = 86400;
constexpr std::int64_t last_wall = 253402300799;  // 9999-12-31T23:59:59
constexpr int feasibility_days = 3000;            // > 8 years: covers Feb 29 across 2100

}  // namespace

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

CivilDate civil_from_days(std::int64_t z) {
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

std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    std::int64_t era = floor_div(y, 400);
    std::int64_t yoe = y - era * 400;
    std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

namespace {

/// libical weekday number (SUNDAY = 1 … SATURDAY = 7); day 0 was a Thursday.
int weekday(std::int64_t days) { return static_cast<int>(days + 4 - floor_div(days + 4, 7) * 7) + 1; }

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}
int day_of_year(const CivilDate& c) {
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
        CivilDate c = civil_from_days(days);
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
        feasible_ = days_.feasible_from(floor_div(origin_, day_seconds)) && times_reachable() && positions_possible();
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
    /// Whether some period starts at a time of day the BYHOUR/BYMINUTE/BYSECOND
    /// limits let through: period starts advance by INTERVAL units, so their
    /// times of day are those of the first one plus multiples of
    /// gcd(INTERVAL units, one day) (FREQ=HOURLY;INTERVAL=4;BYHOUR=3 from
    /// 09:00 never matches, and must not walk to year 9999 to find out).
    bool times_reachable() const {
        if (level_ == 3) return true;
        std::int64_t first = floor_div(origin_, unit_) * unit_;
        std::int64_t g = std::gcd(step_, day_seconds);
        for (std::int64_t r = first - floor_div(first, g) * g; r < day_seconds; r += g) {
            auto hour = static_cast<std::size_t>(r / 3600), minute = static_cast<std::size_t>(r / 60 % 60);
            auto second = static_cast<std::size_t>(r % 60);
            if ((!hour_limited_ || hour_limit_.test(hour)) && (!minute_limited_ || minute_limit_.test(minute)) &&
                (!second_limited_ || second_limit_.test(second)))
                return true;
        }
        return false;
    }

    /// Drops BYSETPOS values beyond the size of every period's set (each
    /// period that passes the limits holds the same number of times); false
    /// when none is left, as the rule then has no instances at all.
    bool positions_possible() {
        if (set_positions_.empty()) return true;
        auto valid = [](const std::vector<int>& v, int limit) {
            return static_cast<int>(std::count_if(v.begin(), v.end(), [&](int x) { return x < limit; }));
        };
        int per_period = (level_ > 2 ? valid(hours_, 24) : 1) * (level_ > 1 ? valid(minutes_, 60) : 1) *
                         (level_ > 0 ? valid(seconds_, 60) : 1);
        std::erase_if(set_positions_, [&](int pos) { return pos > per_period || -pos > per_period; });
        return !set_positions_.empty();
    }

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

/// The days of one calendar year, for the year-relative BY-parts.
struct YearFrame {
    int year = 0;
    std::int64_t jan1 = 0;
    int length = 365;
};

/// WEEKLY, MONTHLY and YEARLY rules (RFC 5545 §3.3.10). Period k is the week
/// (starting on WKST), month or year holding DTSTART, plus k·INTERVAL of them.
/// Each period's candidate days are its days that pass every day-level BY-part
/// (the RFC's "expand" parts choose days inside the period, its "limit" parts
/// drop days; both amount to a filter on the period's days once the defaults
/// taken from DTSTART are in place); each day carries the BYHOUR × BYMINUTE ×
/// BYSECOND times; BYSETPOS picks from that sorted set; instances before
/// DTSTART are dropped; COUNT counts what remains.
class CoarseIterator final : public RuleIterator {
public:
    CoarseIterator(const icalrecurrencetype& r, icaltimetype dtstart)
        : freq_(r.freq), interval_(std::max(1, static_cast<int>(r.interval))), origin_(wall_seconds(dtstart)) {
        count_left_ = r.count > 0 ? r.count : -1;
        wkst_ = r.week_start >= ICAL_SUNDAY_WEEKDAY && r.week_start <= ICAL_SATURDAY_WEEKDAY
                    ? static_cast<int>(r.week_start)
                    : static_cast<int>(ICAL_MONDAY_WEEKDAY);
        std::int64_t first_day = floor_div(origin_, day_seconds);
        CivilDate c = civil_from_days(first_day);
        for (int m : list_of(r.by_month))
            months_.set(static_cast<std::size_t>(icalrecurrencetype_month_month(static_cast<short>(m)) % 13));
        month_days_ = list_of(r.by_month_day);
        year_days_ = list_of(r.by_year_day);
        week_numbers_ = list_of(r.by_week_no);
        for (int d : list_of(r.by_day)) {
            int wd = static_cast<int>(icalrecurrencetype_day_day_of_week(static_cast<short>(d)));
            int nth = icalrecurrencetype_day_position(static_cast<short>(d));
            // RFC 5545 §3.3.10: an ordinal BYDAY only has a meaning in MONTHLY
            // and YEARLY rules; elsewhere it is read as the plain weekday.
            if (nth == 0 || freq_ == ICAL_WEEKLY_RECURRENCE)
                plain_days_.set(static_cast<std::size_t>(wd));
            else
                nth_days_.push_back({wd, nth});
        }
        by_day_ = plain_days_.any() || !nth_days_.empty();
        // Without day-level BY-parts the rule repeats DTSTART's day (RFC 5545
        // §3.3.10: missing parts default to DTSTART's values).
        if (!by_day_ && month_days_.empty() && year_days_.empty() && week_numbers_.empty()) {
            if (freq_ == ICAL_WEEKLY_RECURRENCE) {
                plain_days_.set(static_cast<std::size_t>(weekday(first_day)));
                by_day_ = true;
            } else {
                month_days_.push_back(c.day);
                if (freq_ == ICAL_YEARLY_RECURRENCE && months_.none()) months_.set(static_cast<std::size_t>(c.month));
            }
        }
        month_scoped_nth_ = freq_ == ICAL_MONTHLY_RECURRENCE || months_.any();
        build_times(r, dtstart);
        set_positions_ = list_of(r.by_set_pos);
        first_year_ = c.year;
        first_month_ = c.year * 12 + c.month - 1;
        first_week_ = first_day - (weekday(first_day) - wkst_ + 7) % 7;
        feasible_ = DayFilter(r).feasible_from(first_day);
    }

    void skip_to(std::int64_t wall) override {
        if (count_left_ >= 0 || wall <= origin_) return;
        std::int64_t day = floor_div(wall, day_seconds);
        std::int64_t k = 0;
        if (freq_ == ICAL_WEEKLY_RECURRENCE) {
            k = floor_div(day - first_week_, 7 * static_cast<std::int64_t>(interval_));
        } else {
            CivilDate c = civil_from_days(day);
            k = freq_ == ICAL_MONTHLY_RECURRENCE ? floor_div(c.year * 12 + c.month - 1 - first_month_, interval_)
                                                 : floor_div(c.year - first_year_, interval_);
        }
        if (k >= k_) {
            k_ = k;
            cursor_ = total_ = 0;
            chosen_.clear();
        }
    }

    std::optional<std::int64_t> next(Clock::time_point deadline) override {
        std::size_t spins = 0;
        while (feasible_ && count_left_ != 0) {
            if (auto t = take()) {
                if (count_left_ > 0) --count_left_;
                return t;
            }
            if (++spins % 64 == 0 && Clock::now() > deadline) {
                timed_out_ = true;
                return std::nullopt;
            }
            if (!fill_period()) return std::nullopt;
        }
        return std::nullopt;
    }

private:
    void build_times(const icalrecurrencetype& r, icaltimetype dtstart) {
        if (dtstart.is_date) {
            times_ = {0};  // a DATE rule has no time of day to expand
            return;
        }
        auto values = [](std::vector<int> by, int own, int limit) {
            if (by.empty()) by.push_back(own);
            std::sort(by.begin(), by.end());
            by.erase(std::unique(by.begin(), by.end()), by.end());
            by.erase(std::remove_if(by.begin(), by.end(), [&](int v) { return v >= limit; }), by.end());
            return by;
        };
        for (int h : values(list_of(r.by_hour), dtstart.hour, 24))
            for (int m : values(list_of(r.by_minute), dtstart.minute, 60))
                for (int s : values(list_of(r.by_second), dtstart.second, 60)) times_.push_back(h * 3600 + m * 60 + s);
    }

    /// The next instance of the current period, if any is left.
    std::optional<std::int64_t> take() {
        if (!chosen_.empty()) {
            if (cursor_ < chosen_.size()) return chosen_[cursor_++];
            return std::nullopt;
        }
        if (cursor_ >= total_) return std::nullopt;
        std::size_t nt = times_.size();
        std::int64_t t = days_[cursor_ / nt] * day_seconds + times_[cursor_ % nt];
        ++cursor_;
        return t;
    }

    YearFrame year_frame(int year) const {
        YearFrame f;
        f.year = year;
        f.jan1 = days_from_civil(year, 1, 1);
        f.length = is_leap(year) ? 366 : 365;
        return f;
    }

    /// First day of week 1 of `year`: the first WKST-started week with at
    /// least four of its days in the year (RFC 5545 §3.3.10, BYWEEKNO).
    std::int64_t week_one(int year) const {
        std::int64_t jan1 = days_from_civil(year, 1, 1);
        int into_week = (weekday(jan1) - wkst_ + 7) % 7;
        return jan1 - into_week + (into_week > 3 ? 7 : 0);
    }

    /// Whether `day` lies in a week BYWEEKNO names. A day belongs to the
    /// week-numbering year whose week 1 it follows, which may be the calendar
    /// year before or after its own; negative numbers count from that week
    /// year's last week.
    bool week_number_matches(std::int64_t day, int year) const {
        int wyear = year;
        std::int64_t start = week_one(year);
        if (day < start) {
            wyear = year - 1;
            start = week_one(wyear);
        } else if (std::int64_t next = week_one(year + 1); day >= next) {
            wyear = year + 1;
            start = next;
        }
        int number = static_cast<int>((day - start) / 7) + 1;
        int weeks = static_cast<int>((week_one(wyear + 1) - start) / 7);
        return std::any_of(week_numbers_.begin(), week_numbers_.end(),
                           [&](int n) { return n == number || (n < 0 && weeks + 1 + n == number); });
    }

    static bool signed_match(const std::vector<int>& by, int value, int length) {
        return std::any_of(by.begin(), by.end(),
                           [&](int v) { return v == value || (v < 0 && length + 1 + v == value); });
    }

    bool day_matches(std::int64_t day, const CivilDate& c, const YearFrame& y) const {
        if (months_.any() && !months_.test(static_cast<std::size_t>(c.month))) return false;
        int dim = days_in_month(c.year, c.month);
        if (!month_days_.empty() && !signed_match(month_days_, c.day, dim)) return false;
        int yd = static_cast<int>(day - y.jan1) + 1;
        if (!year_days_.empty() && !signed_match(year_days_, yd, y.length)) return false;
        if (!week_numbers_.empty() && !week_number_matches(day, c.year)) return false;
        if (!by_day_) return true;
        int wd = weekday(day);
        if (plain_days_.test(static_cast<std::size_t>(wd))) return true;
        // An ordinal counts within the month (MONTHLY, or YEARLY with BYMONTH)
        // or else within the year (RFC 5545 §3.3.10, BYDAY).
        int pos = month_scoped_nth_ ? c.day : yd, length = month_scoped_nth_ ? dim : y.length;
        int forward = (pos - 1) / 7 + 1, backward = -((length - pos) / 7 + 1);
        return std::any_of(nth_days_.begin(), nth_days_.end(),
                           [&](const auto& n) {
                               return n.first == wd && (n.second == forward || n.second == backward);
                           });
    }

    /// Fills period k_'s candidate days and instances, then advances k_; false
    /// once periods pass year 9999 or the rule provably has no more instances.
    bool fill_period() {
        std::int64_t first = 0, length = 0;
        if (freq_ == ICAL_WEEKLY_RECURRENCE) {
            first = first_week_ + k_ * 7 * interval_;
            length = 7;
        } else if (freq_ == ICAL_MONTHLY_RECURRENCE) {
            std::int64_t m = first_month_ + k_ * interval_;
            int year = static_cast<int>(floor_div(m, 12)), month = static_cast<int>(m - floor_div(m, 12) * 12) + 1;
            if (year > 9999) return false;
            first = days_from_civil(year, month, 1);
            length = days_in_month(year, month);
        } else {
            std::int64_t year = first_year_ + k_ * interval_;
            if (year > 9999) return false;
            first = days_from_civil(static_cast<int>(year), 1, 1);
            length = is_leap(static_cast<int>(year)) ? 366 : 365;
        }
        if (first * day_seconds > last_wall) return false;
        days_.clear();
        CivilDate c = civil_from_days(first);
        YearFrame y = year_frame(c.year);
        for (std::int64_t d = first; d < first + length; ++d) {
            if (d - y.jan1 >= y.length) y = year_frame(y.year + 1);
            c = civil_from_days(d);
            if (day_matches(d, c, y)) days_.push_back(d);
        }
        ++k_;
        select_instances();
        // The Gregorian calendar repeats every 400 years (146097 days, a whole
        // number of weeks), so a rule whose periods stay empty for a full cycle
        // never matches again.
        bool empty = cursor_ >= (chosen_.empty() ? total_ : chosen_.size());
        empty_run_ = empty ? empty_run_ + 1 : 0;
        std::int64_t cycle = freq_ == ICAL_WEEKLY_RECURRENCE ? 20871 : freq_ == ICAL_MONTHLY_RECURRENCE ? 4800 : 400;
        return empty_run_ <= cycle;
    }

    /// Sets up take() for the current period: BYSETPOS (RFC 5545 §3.3.10: it
    /// picks from the period's whole set) and the DTSTART floor.
    void select_instances() {
        chosen_.clear();
        cursor_ = 0;
        std::size_t nt = times_.size();
        total_ = days_.size() * nt;
        if (!set_positions_.empty()) {
            auto n = static_cast<std::int64_t>(total_);
            for (int pos : set_positions_) {
                std::int64_t i = pos > 0 ? pos - 1 : n + pos;
                if (i < 0 || i >= n) continue;
                auto u = static_cast<std::size_t>(i);
                std::int64_t t = days_[u / nt] * day_seconds + times_[u % nt];
                if (t >= origin_) chosen_.push_back(t);
            }
            std::sort(chosen_.begin(), chosen_.end());
            chosen_.erase(std::unique(chosen_.begin(), chosen_.end()), chosen_.end());
            total_ = 0;  // take() reads chosen_ alone
            return;
        }
        // RFC 5545 §3.3.10: occurrences before DTSTART are not part of the set.
        std::int64_t origin_day = floor_div(origin_, day_seconds);
        auto di = static_cast<std::size_t>(std::lower_bound(days_.begin(), days_.end(), origin_day) - days_.begin());
        cursor_ = di * nt;
        if (di < days_.size() && days_[di] == origin_day) {
            auto in_day = static_cast<int>(origin_ - origin_day * day_seconds);
            auto ti = std::lower_bound(times_.begin(), times_.end(), in_day) - times_.begin();
            cursor_ += static_cast<std::size_t>(ti);
        }
    }

    icalrecurrencetype_frequency freq_;
    int interval_;
    std::int64_t origin_;
    int count_left_ = -1;
    int wkst_ = ICAL_MONDAY_WEEKDAY;
    std::bitset<13> months_;
    std::vector<int> month_days_, year_days_, week_numbers_;
    std::bitset<8> plain_days_;                  // libical numbering, SUNDAY = 1
    std::vector<std::pair<int, int>> nth_days_;  // weekday, ordinal
    bool by_day_ = false;
    bool month_scoped_nth_ = false;
    std::vector<int> times_;  // seconds into the day, ascending
    std::vector<int> set_positions_;
    int first_year_ = 0;
    std::int64_t first_month_ = 0, first_week_ = 0;
    bool feasible_ = true;
    std::int64_t k_ = 0;
    std::int64_t empty_run_ = 0;
    std::vector<std::int64_t> days_;    // the current period's matching days
    std::vector<std::int64_t> chosen_;  // BYSETPOS picks, when BYSETPOS is given
    std::size_t cursor_ = 0, total_ = 0;
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
    CivilDate c = civil_from_days(days);
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
            case ICAL_YEARLY_RECURRENCE: return std::make_unique<CoarseIterator>(rule, dtstart);
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

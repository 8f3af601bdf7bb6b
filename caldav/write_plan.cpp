// WritePlan: the writes of one action, read through before they are committed.
#include "caldav/write_plan.hpp"

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/scheduling.hpp"
#include "ical/scheduling.hpp"

#include <cstdio>
#include <functional>
#include <sstream>

namespace caldav {

std::optional<std::size_t> WritePlan::planned(std::int64_t collection_id, std::string_view name) const {
    for (std::size_t i = 0; i < set_.writes.size(); ++i)
        if (set_.writes[i].object.collection_id == collection_id && set_.writes[i].object.name == name) return i;
    return std::nullopt;
}

std::size_t WritePlan::put(PutObject object, std::int64_t owner_id, bool client) {
    if (auto i = planned(object.collection_id, object.name)) {
        // Written once, last version first condition: what the plan read
        // before its first write of the object is what the store must hold.
        auto& w = set_.writes[*i];
        object.if_match = w.object.if_match;
        object.if_none_match = w.object.if_none_match;
        object.if_schedule_tag_match = w.object.if_schedule_tag_match;
        if (w.kind != ObjectWrite::Kind::remove && w.object.schedule_tag == ScheduleTagChange::renew)
            object.schedule_tag = ScheduleTagChange::renew;
        if (w.kind == ObjectWrite::Kind::remove) w.kind = ObjectWrite::Kind::put;
        w.object = std::move(object);
        w.parsed = parse_of(w.object.data);
        planned_[*i].client = planned_[*i].client || client;
        return *i;
    }
    auto parsed = parse_of(object.data);
    set_.writes.push_back({ObjectWrite::Kind::put, std::move(object), 0, std::move(parsed)});
    planned_.push_back({owner_id, client});
    return set_.writes.size() - 1;
}

std::shared_ptr<icalcomponent_impl> WritePlan::parse_of(const std::string& data) const {
    auto it = parses_.find(data);
    return it == parses_.end() ? nullptr : it->second;
}

void WritePlan::keep_parse(const std::string& data, std::shared_ptr<icalcomponent_impl> parsed) {
    if (!parsed) return;
    // A parse handed out already stays: its readers hold its pointer.
    auto [it, fresh] = parses_.try_emplace(data, parsed);
    if (!fresh && it->second) parsed = it->second;
    it->second = parsed;
    // Writes planned before the parse came take it too.
    for (auto& w : set_.writes)
        if (w.kind != ObjectWrite::Kind::remove && !w.parsed && w.object.data == data) w.parsed = parsed;
}

void WritePlan::book(PutObject object, std::int64_t owner_id) {
    auto i = put(std::move(object), owner_id);
    set_.writes[i].kind = ObjectWrite::Kind::book;
    set_.writes[i].booking_owner = owner_id;
}

std::size_t WritePlan::remove(std::int64_t collection_id, std::int64_t owner_id, std::string name,
                              std::optional<std::string> if_match, bool client,
                              std::optional<std::string> if_schedule_tag_match) {
    if (auto i = planned(collection_id, name)) {
        // Planned as written, then deleted: only the deletion remains, under
        // the first write's condition (a new object's deletion is none).
        auto& w = set_.writes[*i];
        w.kind = ObjectWrite::Kind::remove;
        planned_[*i].client = planned_[*i].client || client;
        return *i;
    }
    ObjectWrite w;
    w.kind = ObjectWrite::Kind::remove;
    w.object.collection_id = collection_id;
    w.object.name = std::move(name);
    w.object.if_match = std::move(if_match);
    w.object.if_schedule_tag_match = std::move(if_schedule_tag_match);
    set_.writes.push_back(std::move(w));
    planned_.push_back({owner_id, client});
    return set_.writes.size() - 1;
}

std::optional<ObjectRecord> WritePlan::find_by_uid(std::int64_t owner_id, std::string_view uid) {
    for (std::size_t i = set_.writes.size(); i-- > 0;) {
        const auto& w = set_.writes[i];
        if (planned_[i].owner_id != owner_id || w.kind == ObjectWrite::Kind::remove || w.object.uid != uid ||
            !w.object.content_type.empty())
            continue;
        ObjectRecord o;
        o.collection_id = w.object.collection_id;
        o.name = w.object.name;
        o.uid = w.object.uid;
        o.component = w.object.component;
        o.etag = w.object.if_match.value_or(std::string());
        o.data = w.object.data;
        return o;
    }
    auto stored = store_.find_object_by_uid(owner_id, uid);
    if (stored) {
        auto i = planned(stored->collection_id, stored->name);
        if (i && set_.writes[*i].kind == ObjectWrite::Kind::remove) return std::nullopt;
    }
    return stored;
}

bool WritePlan::name_taken(std::int64_t collection_id, std::string_view name) {
    return planned(collection_id, name) || store_.find_object(collection_id, name, false);
}

std::optional<PrincipalRecord> WritePlan::principal_of(std::string_view address) {
    for (const auto& [known, who] : principals_)
        if (known == address) return who;
    auto who = caldav::principal_of(store_, address);
    principals_.emplace_back(std::string(address), who);
    return who;
}

std::atomic<bool> WritePlan::cross_check_validation{false};
std::atomic<int> WritePlan::validation_mismatches{0};

namespace {

/// What a validation answered, for comparing two of them: the refusal, or
/// the index fields.
std::string outcome_of(const std::function<CalendarData()>& validate) {
    try {
        auto d = validate();
        std::ostringstream out;
        out << d.uid << ' ' << d.component << ' ' << d.first_start.value_or(-1) << ' ' << d.last_end.value_or(-1)
            << ' ' << d.max_attendees << ' ' << d.instances.exact << ' '
            << (d.instances.indexed_until ? "until" : "all");
        for (const auto& r : d.instances.rows)
            out << " [" << r.start << ',' << r.end << ',' << r.busy.value_or(-1) << ',' << r.declined << ']';
        return out.str();
    } catch (const Error& e) {
        return "refused " + std::to_string(e.status()) + ' ' + e.what();
    }
}

}  // namespace

void WritePlan::cross_check(const std::string& data, icalcomponent* parsed, const Limits& limits) {
    auto from_tree = outcome_of([&] { return validate_calendar_data(data, parsed, limits); });
    auto from_text = outcome_of([&] { return validate_calendar_data(data, limits); });
    if (from_tree == from_text) return;
    ++validation_mismatches;
    std::fprintf(stderr, "WritePlan: validation from the tree answered\n%s\nand from the text\n%s\nfor\n%s\n",
                 from_tree.c_str(), from_text.c_str(), data.c_str());
}

const CalendarData& WritePlan::validated(const std::string& data, const Limits& limits) {
    if (auto it = validated_.find(data); it != validated_.end()) return *it->second;
    std::shared_ptr<CalendarData> checked;
    if (auto held = parses_.find(data); held != parses_.end() && held->second) {
        // A text the plan parsed, or serialised from a tree it edited: read
        // from that tree (issue 24: an RSVP parsed four such texts again,
        // about 0.2 ms). Its characters are still checked on the text.
        if (cross_check_validation) cross_check(data, held->second.get(), limits);
        checked = std::make_shared<CalendarData>(validate_calendar_data(data, held->second.get(), limits));
    } else {
        checked = std::make_shared<CalendarData>(validate_calendar_data(data, limits));
        keep_parse(data, std::shared_ptr<icalcomponent_impl>(checked->parsed.release(), ical::ComponentDeleter{}));
    }
    return *validated_.emplace(data, std::move(checked)).first->second;
}

const std::string& WritePlan::attendee_copy(const std::string& data) {
    if (auto it = copies_.find(data); it != copies_.end()) return it->second;
    auto copy = copy_of(data);
    if (!copy) return copies_.emplace(data, data).first->second;  // as ical::attendee_copy answers
    auto text = ical::attendee_copy(copy.get());
    remember(text, std::move(copy));
    return copies_.emplace(data, std::move(text)).first->second;
}

icalcomponent* WritePlan::parse(const std::string& data) {
    if (auto it = parses_.find(data); it != parses_.end()) return it->second.get();
    auto parsed = ical::parse_calendar(data);
    std::shared_ptr<icalcomponent_impl> kept;
    if (!parsed.error && parsed.calendar) kept.reset(parsed.calendar.release(), ical::ComponentDeleter{});
    return parses_.emplace(data, std::move(kept)).first->second.get();
}

ical::ComponentPtr WritePlan::copy_of(const std::string& data) {
    icalcomponent* parsed = parse(data);
    if (!parsed) return nullptr;
    if (ical::clones_faithfully(parsed)) return ical::ComponentPtr(icalcomponent_new_clone(parsed));
    auto again = ical::parse_calendar(data);  // X- values: see ical::clones_faithfully
    return again.error ? nullptr : std::move(again.calendar);
}

void WritePlan::remember(const std::string& data, ical::ComponentPtr calendar) {
    if (!calendar) return;
    keep_parse(data, std::shared_ptr<icalcomponent_impl>(calendar.release(), ical::ComponentDeleter{}));
}

std::optional<PlanHints> WritePlan::replan(const CommitResult& result) const {
    if (result.status == StoreStatus::ok || result.failed >= set_.writes.size()) return std::nullopt;
    if (planned_[result.failed].client) return std::nullopt;
    auto hints = hints_;
    const auto& w = set_.writes[result.failed];
    if (w.kind == ObjectWrite::Kind::book && result.status == StoreStatus::conflict)
        hints.busy_rooms.insert(w.booking_owner);
    return hints;
}

}  // namespace caldav

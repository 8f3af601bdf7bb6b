// The calendar service's event operations for apps (issue 24): events built
// from a description (ical/event_spec.hpp) and written through object_service
// (the validation, implicit scheduling of RFC 6638 §3.2 and single
// transaction of a CalDAV PUT or DELETE), listed with their recurrences
// expanded (RFC 5545 §3.8.5), and checked for overlapping busy time (the
// RFC 4791 §7.10 rules: transparent, cancelled and declined time is free).
#include "caldav/event_service.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "caldav/message.hpp"
#include "caldav/observers.hpp"
#include "caldav/parsed_event_cache.hpp"
#include "caldav/privileges.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/alongside.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/shared_scheduling.hpp"
#include "ical/calendar_data.hpp"
#include "ical/expand.hpp"
#include "ical/itip.hpp"

namespace caldav {

namespace {

constexpr std::int64_t day_seconds = 86400;

/// The random engine of the calling thread, seeded once from the system.
std::mt19937_64& thread_random() {
    thread_local std::mt19937_64 engine = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(),
                           device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    return engine;
}

/// A version 4 UUID (RFC 9562 §5.4) in lower case.
std::string fresh_uuid() {
    auto& random = thread_random();
    std::uint64_t high = random(), low = random();
    high = (high & ~std::uint64_t{0xF000}) | 0x4000;              // version 4
    low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
    char text[40];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                  static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                  static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
    return text;
}

/// True when a UID can name the object (UID.ics) as it is.
bool plain_name(std::string_view uid) {
    return !uid.empty() && uid.size() <= 200 && uid.front() != '.' &&
           std::all_of(uid.begin(), uid.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.' || c == '@';
           });
}

ical::ExpandLimits bounds(const Actor& actor) {
    ical::ExpandLimits limits;
    limits.max_instances = actor.limits.max_instances;
    return limits;
}

[[noreturn]] void refuse(const ical::FieldError& e) { throw EventFieldError(e.field, e.detail); }

/// The text an edit made, or its FieldError thrown as EventFieldError.
std::string edited(ical::EditResult result) {
    if (auto* error = std::get_if<ical::FieldError>(&result)) refuse(*error);
    return std::move(std::get<std::string>(result));
}

/// A calendar user address for a bare address as EventView gives it.
std::string address_of(std::string_view bare) {
    if (bare.empty() || bare.front() == '/' || bare.find(':') != std::string_view::npos)
        return std::string(bare);
    return "mailto:" + std::string(bare);
}

/// The bare address of a calendar user address ("mailto:" taken off).
std::string bare_of(std::string_view address) {
    auto mail = mail_address(address);
    return mail.empty() ? std::string(address) : mail;
}

bool is_me(const Actor& actor, std::string_view bare) {
    // A bare e-mail address is compared in place (listings ask per occurrence).
    if (!bare.empty() && bare.front() != '/' && bare.find(':') == std::string_view::npos)
        return !actor.principal.email.empty() && iequals(bare, actor.principal.email);
    return is_own_address(actor.principal, address_of(bare));
}

/// The actor's own calendars.
std::vector<CollectionRecord> calendars_of(Actor& actor) {
    std::vector<CollectionRecord> out;
    for (auto& c : actor.store.list_collections(actor.principal.id))
        if (c.kind == CollectionKind::calendar) out.push_back(std::move(c));
    return out;
}

/// A calendar another user shared with the actor, whose events it may read.
struct SharedCalendar {
    CollectionRecord calendar;
    PrincipalRecord owner;
};

/// The calendars shared with the actor for reading (view, edit, admin: DAV:read
/// through privileges_on_collection); never those shared for free-busy only (issue 25).
std::vector<SharedCalendar> readable_shared_calendars(Actor& actor) {
    std::vector<SharedCalendar> out;
    for (const auto& g : actor.store.grants_to_principal(actor.principal.id)) {
        auto c = actor.store.find_collection(g.owner.id, g.collection_name);
        if (!c || c->kind != CollectionKind::calendar) continue;
        // The actor's privileges come from its own grant only.
        const GrantRecord mine[] = {g};
        if (!holds(privileges_on_collection(actor.principal, g.owner, *c, mine), Privileges::read)) continue;
        out.push_back({std::move(*c), g.owner});
    }
    return out;
}


/// UTC seconds of a RECURRENCE-ID as ical::Instance writes it
/// ("20240105T150000Z", floating without Z and dates read as UTC).
std::optional<std::int64_t> rid_seconds(std::string_view rid) {
    auto digits = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (i >= rid.size() || !std::isdigit(static_cast<unsigned char>(rid[i]))) return -1;
            v = v * 10 + (rid[i] - '0');
        }
        return v;
    };
    int y = digits(0, 4), m = digits(4, 2), d = digits(6, 2);
    if (y < 0 || m < 1 || d < 1) return std::nullopt;
    int hh = 0, mm = 0, ss = 0;
    if (rid.size() >= 15 && rid[8] == 'T')
        hh = digits(9, 2), mm = digits(11, 2), ss = digits(13, 2);
    if (hh < 0 || mm < 0 || ss < 0) return std::nullopt;
    // Days from the civil date (proleptic Gregorian).
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = std::int64_t(era) * 146097 + doe - 719468;
    return days * day_seconds + hh * 3600 + mm * 60 + ss;
}

/// The object as `event` holds it, read again (with data) from the store.
std::optional<EventLocation> reread(Actor& actor, const EventLocation& event) {
    auto object = actor.store.find_object(event.calendar.id, event.object.name, true);
    if (!object) return std::nullopt;
    if (object->shared_data) object->data.assign(*std::exchange(object->shared_data, nullptr));
    return EventLocation{event.calendar, event.owner_name, std::move(*object)};
}

[[noreturn]] void stale() { throw Error(412, "the event changed since it was read (If-Match)"); }

/// Runs `change` over the event as read, then over a fresh read when
/// somebody wrote it meanwhile and the caller named no version (If-Match):
/// the change is made from what is there, never over it.
template <typename Change>
auto over_current(Actor& actor, const EventLocation& event,
                  const std::optional<std::string>& if_match, Change change) {
    if (if_match && *if_match != event.object.etag) stale();
    EventLocation current = event;
    for (int attempt = 0;; ++attempt) {
        try {
            return change(current);
        } catch (const Error& e) {
            if (e.status() != 412 || if_match || attempt + 1 >= actor.limits.plan_attempts) throw;
        }
        auto again = reread(actor, event);
        if (!again) throw Error(404, "the event is gone");
        current = std::move(*again);
    }
}

/// A put of `data` over the version `event` read.
ObjectPut put_over(const EventLocation& event, std::string data) {
    ObjectPut put;
    put.calendar = event.calendar;
    put.owner_name = event.owner_name;
    put.name = event.object.name;
    put.data = std::move(data);
    put.conditions.if_match = event.object.etag;
    put.current = event.object;
    put.current->data.clear();
    put.current->shared_data.reset();
    return put;
}

/// The master view of a stored event; 409 when it holds none.
ical::EventView master_of(const EventLocation& event) {
    auto view = ical::read_event(event.object.text());
    if (!view) throw Error(409, "the stored object holds no event to change");
    return *view;
}

/// RFC 6638 §3.2.2: a meeting is its organizer's to change.
void check_may_change(const Actor& actor, const ical::EventView& view) {
    if (view.organizer_email.empty() || view.attendees.empty() ||
        is_me(actor, view.organizer_email))
        return;
    throw Error(403, "only the organizer changes a meeting; as an attendee, answer it (rsvp)");
}

/// The bare addresses of the attendees of `ics` other than the actor.
std::vector<std::string> others_invited(const Actor& actor, std::string_view ics,
                                        std::optional<std::int64_t> instance = std::nullopt) {
    std::vector<std::string> out;
    if (auto view = ical::read_event(ics, instance))
        for (const auto& a : view->attendees)
            if (!is_me(actor, a.email)) out.push_back(a.email);
    return out;
}

// Conflicts ----------------------------------------------------------------

/// The instances of the event being checked: sorted, merged busy windows.
std::vector<std::pair<std::int64_t, std::int64_t>> busy_windows(
    const std::vector<ical::Instance>& instances) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& i : instances)
        if (i.busy && !i.cancelled && i.end > i.start) out.emplace_back(i.start, i.end);
    std::sort(out.begin(), out.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> merged;
    for (const auto& w : out) {
        if (!merged.empty() && w.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, w.second);
        else
            merged.push_back(w);
    }
    return merged;
}

/// True when [start, end) overlaps one of the sorted, merged `windows`.
bool overlaps(const std::vector<std::pair<std::int64_t, std::int64_t>>& windows, std::int64_t start,
              std::int64_t end) {
    auto it = std::upper_bound(windows.begin(), windows.end(), start,
                               [](std::int64_t t, const auto& w) { return t < w.second; });
    return it != windows.end() && it->first < end;
}

/// Whose busy time is looked at, and what of it the caller may see.
struct Party {
    PrincipalRecord who;
    bool own = false;  ///< the caller: event ids, calendars and titles are theirs to see
};

/// True when `who` declined the event (their PARTSTAT in the master).
bool declined_by(const PrincipalRecord& who, const ical::EventOccurrences& event) {
    if (!event.has_master) return false;
    for (const auto& a : event.views.front().attendees)
        if (is_own_address(who, address_of(a.email))) return a.partstat == "DECLINED";
    return false;
}

/// Adds the busy instances of `o` (in `cal` of `party`) that overlap
/// `windows`, read through the parsed-event cache.
void add_overlaps(Actor& actor, const Party& party, const CollectionRecord& cal,
                  const ObjectRecord& o,
                  const std::vector<std::pair<std::int64_t, std::int64_t>>& windows,
                  std::vector<Conflict>& out) {
    auto parsed = parsed_event_cache().occurrences(o, windows.front().first, windows.back().second,
                                                   bounds(actor));
    const auto& event = parsed->occurrences;
    std::optional<bool> declined;
    for (const auto& item : event.items) {
        const auto& i = item.instance;
        if (!i.busy || i.cancelled || i.end <= i.start || !overlaps(windows, i.start, i.end))
            continue;
        if (i.declined && (declined ? *declined : *(declined = declined_by(party.who, event))))
            continue;
        Conflict c;
        c.event_id = o.uid;
        c.who = party.who.email.empty() ? party.who.name : party.who.email;
        c.start = i.start;
        c.end = i.end;
        // The title of the component the instance comes from (its override or the master).
        if (party.own) c.calendar_id = cal.name, c.title = event.views[item.view].title;
        out.push_back(std::move(c));
    }
}

/// Adds the conflicts `party`'s calendars hold with `windows`, leaving out `uid`.
void party_conflicts(Actor& actor, const Party& party, const std::string& uid,
                     const std::vector<std::pair<std::int64_t, std::int64_t>>& windows,
                     std::vector<Conflict>& out) {
    for (const auto& cal : actor.store.list_collections(party.who.id)) {
        if (cal.kind != CollectionKind::calendar || !counts_for_busy(actor.store, cal)) continue;
        // The index finds the candidates of each window; each is read once.
        std::map<std::int64_t, ObjectRecord> candidates;
        for (const auto& [start, end] : windows)
            actor.store.visit_objects_in_range(cal.id, start, end, true, [&](ObjectRecord& o) {
                if (o.uid == uid || o.component != "VEVENT" || candidates.contains(o.id)) return;
                candidates.emplace(o.id, std::move(o));
            });
        for (const auto& [id, o] : candidates) add_overlaps(actor, party, cal, o, windows, out);
    }
}

std::vector<Conflict> conflicts_of(Actor& actor, const std::string& ics,
                                   const std::vector<std::string>& attendees, int horizon_days,
                                   std::size_t max, std::optional<std::int64_t> now) {
    ConflictTimer timer;  // issue 29 §1: conflict detection time
    // One parse for the whole check (issue 24): a single timed event's one
    // occurrence holds for any window, and a series expands from it. Text
    // parse_calendar refuses is read as before, each reader parsing it.
    auto parsed = ical::parse_calendar(ics);
    auto event = parsed.calendar ? ical::read_event_occurrences(ics, parsed.calendar.get(), 0, 1, bounds(actor))
                                 : ical::read_event_occurrences(ics, 0, 1, bounds(actor));
    std::optional<ical::EventView> view;
    if (event.has_master) view = event.views.front();
    else view = ical::read_event(ics);
    if (!view || max == 0 || view->transparent) return {};
    // The instances to check: from the start (or from a while before now for
    // a series already running) up to the horizon.
    const std::int64_t horizon = std::int64_t{std::max(horizon_days, 1)} * day_seconds;
    auto instances_in = [&](std::int64_t from, std::int64_t to) {
        std::vector<ical::Instance> out;
        if (!event.single) {
            // As ical::expand of the text: no instances when it does not parse.
            if (!parsed.calendar) return out;
            return ical::expand(parsed.calendar.get(), from, to, bounds(actor)).instances;
        }
        for (const auto& item : event.items)
            if (item.instance.end > from && item.instance.start < to) out.push_back(item.instance);
        return out;
    };
    // A series already running is checked from now on; one wholly in the
    // past (an event entered after the fact) at its own time.
    std::vector<std::pair<std::int64_t, std::int64_t>> windows;
    if (now && *now > view->start)
        windows = busy_windows(instances_in(std::max(view->start, *now - day_seconds), *now + horizon));
    if (windows.empty()) windows = busy_windows(instances_in(view->start, view->start + horizon));
    if (windows.empty()) return {};
    std::vector<Conflict> out;
    party_conflicts(actor, {actor.principal, true}, view->uid, windows, out);
    std::set<std::int64_t> seen{actor.principal.id};
    for (const auto& email : attendees) {
        auto who = actor.store.find_principal_by_email(bare_of(email));
        if (!who || !seen.insert(who->id).second) continue;
        party_conflicts(actor, {*who, false}, view->uid, windows, out);
    }
    std::sort(out.begin(), out.end(), [](const Conflict& a, const Conflict& b) {
        return std::tie(a.start, a.end, a.who, a.event_id) <
               std::tie(b.start, b.end, b.who, b.event_id);
    });
    if (out.size() > max) out.resize(max);
    return out;
}

void refuse_conflicts(const std::vector<Conflict>& conflicts) {
    const auto& c = conflicts.front();
    throw ConflictsError(conflicts, "the event overlaps " + std::to_string(conflicts.size()) + " busy event" +
                                        (conflicts.size() == 1 ? "" : "s") + ", the first at " +
                                        ical::format_rfc3339(c.start) + " (" + c.who + ")");
}

// Listing ------------------------------------------------------------------

/// The actor's part in an occurrence, as the API shows it.
std::string my_status(const Actor& actor, const ical::EventView& view) {
    if (view.organizer_email.empty()) return {};
    if (is_me(actor, view.organizer_email)) return "organizer";
    for (const auto& a : view.attendees)
        if (is_me(actor, a.email))
            return api_status(a.partstat.empty() ? "NEEDS-ACTION" : a.partstat);
    return {};
}

/// A calendar a listing reads, and its id in the listing: its name for the
/// actor's own, "OWNER:NAME" for one shared with the actor.
struct ListedCalendar {
    CollectionRecord calendar;
    std::string id;
    bool own = true;
};

/// An object a listing reads: the calendar it is in (index into the
/// listing's calendars), its ETag and its parse, kept while the listing is
/// built so that its occurrences can point into it.
struct ListedSource {
    std::size_t calendar = 0;
    std::string etag;
    std::shared_ptr<const ParsedEvent> parsed;
};

/// One occurrence of a listing before the page is picked: what it sorts and
/// marks conflicts by, and where the rest is (no string copied, no shared
/// view taken: only the page shown becomes ListedInstances).
struct Occurrence {
    std::int64_t start = 0, end = 0;              ///< this occurrence, UTC seconds
    const std::string* event_id = nullptr;        ///< its component's UID, inside the source's parse
    std::optional<std::int64_t> instance_date;    ///< its RECURRENCE-ID (recurring events only)
    std::uint32_t source = 0;                     ///< index into the listing's sources
    std::uint32_t view = 0;                       ///< its component, index into the parse's views
    std::uint32_t status = 0;                     ///< the actor's part, index into the listing's statuses
    bool recurring = false;
    bool busy = false;                            ///< takes the actor's time
    bool conflicts = false;
};

/// The occurrences of a listing, in the order it is shown.
struct Listing {
    std::vector<ListedCalendar> calendars;
    std::vector<ListedSource> sources;
    std::vector<std::string> statuses;  ///< the actor's parts, one per component listed
    std::vector<Occurrence> occurrences;
};

/// RFC 4791 §9.9: whether the occurrence [s, e) overlaps [start, end).
bool in_range(std::int64_t s, std::int64_t e, std::int64_t start, std::int64_t end) {
    return e > s ? s < end && e > start : s >= start && s < end;
}

/// Adds the occurrences of `o` (in calendar `cal_index` of `listing`)
/// overlapping [start, end), read through the parsed-event cache (each
/// component's view read once per version of the object, not per listing; a
/// timed event without recurrence is not expanded at all). Another's calendar
/// (shared with the actor) holds their time, not the actor's: its
/// occurrences never count as the actor's conflicts.
void list_object(Actor& actor, std::size_t cal_index, ObjectRecord& o, std::int64_t start, std::int64_t end,
                 Listing& listing) {
    auto parsed = parsed_event_cache().occurrences(o, start, end, bounds(actor));
    const auto& event = parsed->occurrences;
    const bool own = listing.calendars[cal_index].own;
    const auto source = static_cast<std::uint32_t>(listing.sources.size());
    auto add = [&](std::int64_t s, std::int64_t e, std::uint32_t view, std::uint32_t status, bool recurring,
                   std::optional<std::int64_t> instance_date, bool busy) {
        Occurrence occ;
        occ.start = s;
        occ.end = e;
        occ.event_id = &event.views[view].uid;
        occ.instance_date = instance_date;
        occ.source = source;
        occ.view = view;
        occ.status = status;
        occ.recurring = recurring;
        occ.busy = own && busy && listing.statuses[status] != "declined";
        listing.occurrences.push_back(occ);
    };
    auto status_of = [&](const ical::EventView& view) {
        listing.statuses.push_back(my_status(actor, view));
        return static_cast<std::uint32_t>(listing.statuses.size() - 1);
    };
    if (event.single) {
        const auto& view = event.views.front();
        if (!in_range(view.start, view.end, start, end)) return;
        const bool busy = !view.transparent && view.status != "CANCELLED" && view.end > view.start;
        add(view.start, view.end, 0, status_of(view), false, std::nullopt, busy);
    } else {
        std::vector<const ical::EventOccurrences::Item*> found;
        for (const auto& item : event.items)
            if (in_range(item.instance.start, item.instance.end, start, end)) found.push_back(&item);
        if (found.empty()) return;
        if (event.error)
            throw Error(422, "the range holds more than " + std::to_string(actor.limits.max_instances) +
                                 " occurrences; ask for a shorter one");
        const bool recurring = found.size() > 1 || std::any_of(found.begin(), found.end(), [&](const auto* f) {
                                   return event.views[f->view].recurrence.has_value() || f->instance.overridden;
                               });
        // The actor's part, once per component rather than per occurrence.
        std::vector<std::optional<std::uint32_t>> statuses(event.views.size());
        for (const auto* f : found) {
            const auto& i = f->instance;
            auto& status = statuses[f->view];
            if (!status) status = status_of(event.views[f->view]);
            auto instance_date = recurring ? rid_seconds(i.recurrence_id) : std::nullopt;
            add(i.start, i.end, f->view, *status, recurring, instance_date, i.busy && !i.cancelled && i.end > i.start);
        }
    }
    listing.sources.push_back({cal_index, std::move(o.etag), std::move(parsed)});
}

/// Marks the busy occurrences that overlap another busy one (`out` sorted by start).
void mark_conflicts(std::vector<Occurrence>& out) {
    std::optional<std::size_t> longest;  // the busy occurrence reaching furthest so far
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (!out[i].busy) continue;
        auto& o = out[i];
        if (longest && o.start < out[*longest].end) {
            o.conflicts = true;
            out[*longest].conflicts = true;
        }
        if (!longest || o.end > out[*longest].end) longest = i;
    }
}

/// The listed occurrence `occ` as the API's callers read it.
ListedInstance listed_instance(const Listing& listing, const Occurrence& occ) {
    const auto& source = listing.sources[occ.source];
    ListedInstance li;
    li.event_id = *occ.event_id;
    li.calendar_id = listing.calendars[source.calendar].id;
    // The view stays in the cache's entry; the listed occurrence shares it.
    li.view = std::shared_ptr<const ical::EventView>(source.parsed, &source.parsed->occurrences.views[occ.view]);
    li.start = occ.start;
    li.end = occ.end;
    li.is_recurring = occ.recurring;
    li.instance_date = occ.instance_date;
    li.my_status = listing.statuses[occ.status];
    li.conflicts = occ.conflicts;
    li.etag = source.etag;
    return li;
}

/// The calendars a listing reads: the actor's and those shared with it for
/// reading, or those named among them.
std::vector<ListedCalendar> listed_calendars(Actor& actor, const std::vector<std::string>& names) {
    std::vector<ListedCalendar> all;
    for (auto& c : calendars_of(actor)) all.push_back({c, c.name, true});
    for (auto& s : readable_shared_calendars(actor))
        all.push_back({s.calendar, s.owner.name + ":" + s.calendar.name, false});
    if (names.empty()) return all;
    std::vector<ListedCalendar> out;
    for (const auto& name : names) {
        auto it = std::find_if(all.begin(), all.end(), [&](const ListedCalendar& c) { return c.id == name; });
        if (it == all.end()) throw Error(404, "no calendar " + name);
        out.push_back(*it);
    }
    return out;
}

// Changes ------------------------------------------------------------------

/// Conflicts of `changed` (only those of its instance `instance` when set).
std::vector<Conflict> changed_conflicts(Actor& actor, const std::string& changed,
                                        std::optional<std::int64_t> instance, int horizon_days,
                                        std::int64_t now) {
    auto found = conflicts_of(actor, changed, others_invited(actor, changed), horizon_days,
                              instance ? std::size_t(1000) : std::size_t(50), now);
    if (!instance) return found;
    auto view = ical::read_event(changed, instance);
    if (!view) return {};
    std::erase_if(found,
                  [&](const Conflict& c) { return c.end <= view->start || c.start >= view->end; });
    if (found.size() > 50) found.resize(50);
    return found;
}

/// Writes the change of one scope over `event`; fills `result`.
void apply_change(Actor& actor, const EventLocation& event, const ical::EventPatch& patch,
                  EditScope scope, std::optional<std::int64_t> instance, bool reject_conflicts,
                  int horizon_days, std::int64_t now, EditedEvent& result) {
    const std::string text(event.object.text());
    std::string changed, second;
    if (scope == EditScope::all) {
        changed = edited(ical::edit_all(text, patch, now));
    } else if (scope == EditScope::this_instance) {
        changed = edited(ical::edit_instance(text, *instance, patch, now));
        result.exception_id = instance_id(result.event_id, *instance);
    } else {
        auto new_uid = fresh_uuid();
        auto split = ical::split_series(text, *instance, new_uid, patch, now);
        if (auto* error = std::get_if<ical::FieldError>(&split)) refuse(*error);
        changed = std::move(std::get<ical::SplitResult>(split).first);
        second = std::move(std::get<ical::SplitResult>(split).second);
        result.new_event_id = new_uid;
    }
    const auto& checked = second.empty() ? changed : second;
    result.conflicts = changed_conflicts(
        actor, checked, scope == EditScope::this_instance ? instance : std::nullopt, horizon_days,
        now);
    if (reject_conflicts && !result.conflicts.empty()) refuse_conflicts(result.conflicts);
    if (second.empty()) {
        result.etag = put_calendar_object(actor, put_over(event, std::move(changed))).etag;
        return;
    }
    // The series ended and the one starting at the instance: one transaction,
    // each with the scheduling it implies (attendees get both updates).
    ObjectPut next;
    next.calendar = event.calendar;
    next.owner_name = event.owner_name;
    next.name = *result.new_event_id + ".ics";
    next.data = std::move(second);
    next.conditions.if_none_match = true;
    std::vector<ObjectPut> puts;
    puts.push_back(put_over(event, std::move(changed)));
    puts.push_back(std::move(next));
    result.etag = put_calendar_objects(actor, std::move(puts)).front().etag;
}

}  // namespace

std::optional<EventLocation> find_event(Actor& actor, const std::string& uid) {
    auto object = actor.store.find_object_by_uid(actor.principal.id, uid);
    if (object) {
        if (object->shared_data) object->data.assign(*std::exchange(object->shared_data, nullptr));
        for (auto& c : calendars_of(actor))
            if (c.id == object->collection_id)
                return EventLocation{std::move(c), actor.principal.name, std::move(*object)};
    }
    // Issue 25: then the calendars shared with the actor for reading.
    for (auto& s : readable_shared_calendars(actor)) {
        auto shared = actor.store.find_object_by_uid(s.owner.id, uid);
        if (!shared || shared->collection_id != s.calendar.id) continue;
        if (shared->shared_data) shared->data.assign(*std::exchange(shared->shared_data, nullptr));
        return EventLocation{std::move(s.calendar), s.owner.name, std::move(*shared)};
    }
    return std::nullopt;
}

std::vector<Conflict> find_conflicts(Actor& actor, const std::string& ics,
                                     const std::vector<std::string>& attendees, int horizon_days,
                                     std::size_t max) {
    return conflicts_of(actor, ics, attendees, horizon_days, max, std::nullopt);
}

std::vector<Conflict> find_conflicts(Actor& actor, const std::string& ics,
                                     const std::vector<std::string>& attendees, int horizon_days,
                                     std::size_t max, std::int64_t now) {
    return conflicts_of(actor, ics, attendees, horizon_days, max, now);
}

CreatedEvent create_event(Actor& actor, const CollectionRecord& calendar, const std::string& owner_name,
                          ical::EventSpec spec, bool reject_conflicts, int horizon_days, std::int64_t now,
                          std::optional<IdempotencyRecord> record) {
    // Issue 25 §6: in a calendar shared with the actor, as its owner (SENT-BY the actor).
    if (calendar.owner_id != actor.principal.id) {
        auto as = acting_on(actor, calendar, Privileges::bind);
        return create_event(as, calendar, owner_name, std::move(spec), reject_conflicts, horizon_days, now,
                            std::move(record));
    }
    if (calendar.kind != CollectionKind::calendar) throw Error(403, "events are created in calendars");
    if (spec.uid.empty()) spec.uid = fresh_uuid();
    // The organizer is the actor; it is no attendee of its own (build adds it).
    std::erase_if(spec.attendees,
                  [&](const ical::AttendeeSpec& a) { return is_me(actor, a.email); });
    if (!spec.attendees.empty()) {
        // ical::build_event writes mailto: addresses; a principal URL as
        // ORGANIZER (what CalDAV clients of a user without email send) would
        // reach no external attendee anyway.
        if (actor.principal.email.empty())
            throw EventFieldError("attendees",
                                  "your account has no email address to invite attendees from");
        spec.organizer_email = actor.principal.email;
        spec.organizer_name = actor.principal.display_name;
    }
    if (auto problem = ical::check_event(spec)) refuse(*problem);
    auto ics = ical::build_event(spec, now);
    std::vector<std::string> invited;
    for (const auto& a : spec.attendees) invited.push_back(a.email);
    CreatedEvent created;
    // A conflict that refuses the event is known before anything is written;
    // a reported one is looked for beside the write (caldav/alongside.hpp),
    // by a copy of the actor (caldav/alongside.hpp).
    Beside<std::vector<Conflict>> check(reject_conflicts ? nullptr : actor.alongside,
                                        [checker = actor, &ics, &invited, horizon_days, now]() mutable {
                                            return conflicts_of(checker, ics, invited, horizon_days, 50, now);
                                        });
    if (reject_conflicts) {
        created.conflicts = check.get();
        if (!created.conflicts.empty()) refuse_conflicts(created.conflicts);
    }
    ObjectPut put;
    put.calendar = calendar;
    put.owner_name = owner_name;
    put.name = (plain_name(spec.uid) ? spec.uid : fresh_uuid()) + ".ics";
    put.data = ics;  // the check may still be reading `ics`
    put.conditions.if_none_match = true;
    put.idempotency = std::move(record);
    created.outcome = put_calendar_object(actor, put);
    if (!reject_conflicts) created.conflicts = check.get();
    // What the commit stored (scheduling may have added SCHEDULE-STATUS), as
    // the write knew it (put_calendar_object always says): no read-back.
    auto stored = std::move(*created.outcome.stored);
    created.outcome.stored.reset();
    EventLocation where{calendar, owner_name, {}};
    auto& o = where.object;
    o.collection_id = calendar.id;
    o.name = put.name;
    o.uid = spec.uid;
    o.component = "VEVENT";
    o.etag = std::move(stored.etag);
    o.schedule_tag = created.outcome.schedule_tag;
    o.size = static_cast<std::int64_t>(stored.data.size());
    o.created_at = o.modified_at = now;
    o.data = std::move(stored.data);
    created.parsed = std::move(stored.parsed);
    created.where = std::move(where);
    return created;
}

EditedEvent update_event(Actor& actor, const EventLocation& event, const ical::EventPatch& patch,
                         EditScope scope, std::optional<std::int64_t> instance,
                         const std::optional<std::string>& if_match, bool reject_conflicts,
                         int horizon_days, std::int64_t now) {
    if (scope != EditScope::all && !instance)
        throw EventFieldError("instance_date", "this update_scope needs the instance_date of an occurrence");
    if (event.calendar.owner_id != actor.principal.id) {  // issue 25 §6
        auto as = acting_on(actor, event.calendar, Privileges::write_content);
        return update_event(as, event, patch, scope, instance, if_match, reject_conflicts, horizon_days, now);
    }
    return over_current(actor, event, if_match, [&](const EventLocation& current) {
        auto master = master_of(current);
        check_may_change(actor, master);
        EditedEvent result;
        result.event_id = master.uid;
        // From the first instance on, the rest of the series is all of it.
        auto how =
            scope == EditScope::all_future && *instance <= master.start ? EditScope::all : scope;
        apply_change(actor, current, patch, how, instance, reject_conflicts, horizon_days, now,
                     result);
        return result;
    });
}

void delete_event(Actor& actor, const EventLocation& event, EditScope scope,
                  std::optional<std::int64_t> instance, const std::optional<std::string>& if_match,
                  std::int64_t now) {
    if (scope != EditScope::all && !instance)
        throw EventFieldError("instance_date", "this scope needs the instance_date of an occurrence");
    if (event.calendar.owner_id != actor.principal.id) {  // issue 25 §6: removing needs unbind
        auto as = acting_on(actor, event.calendar, scope == EditScope::all ? Privileges::unbind : Privileges::write_content);
        return delete_event(as, event, scope, instance, if_match, now);
    }
    over_current(actor, event, if_match, [&](const EventLocation& current) {
        const std::string text(current.object.text());
        auto master = master_of(current);
        auto how = scope;
        if (how == EditScope::all_future && *instance <= master.start) how = EditScope::all;
        if (how == EditScope::all) {
            // An attendee's copy removed: their DECLINED reply goes out (RFC 6638 §3.2.2).
            WriteConditions c;
            c.if_match = current.object.etag;
            remove_object(actor, current.calendar, current.object.name, c);
            return 0;
        }
        if (!master.organizer_email.empty() && !master.attendees.empty() &&
            !is_me(actor, master.organizer_email)) {
            // An attendee leaves one occurrence by declining it: the organizer
            // learns it, where an EXDATE in the copy would tell nobody.
            if (how == EditScope::all_future)
                throw Error(403,
                            "only the organizer ends a series; as an attendee, decline its "
                            "occurrences (rsvp)");
            rsvp_event(actor, current, "DECLINED", instance, "", now);
            return 0;
        }
        auto changed = how == EditScope::this_instance
                           ? edited(ical::remove_instance(text, *instance, now))
                           : edited(ical::end_series_before(text, *instance, now));
        put_calendar_object(actor, put_over(current, std::move(changed)));
        return 0;
    });
}

std::string rsvp_event(Actor& actor, const EventLocation& event, const std::string& partstat,
                       std::optional<std::int64_t> instance, const std::string& comment,
                       std::int64_t now) {
    static constexpr std::string_view answers[] = {"ACCEPTED", "DECLINED", "TENTATIVE"};
    if (std::find(std::begin(answers), std::end(answers), partstat) == std::end(answers))
        throw EventFieldError("response", "the response is accepted, declined or tentative");
    if (event.calendar.owner_id != actor.principal.id) {  // issue 25 §5: a delegate answers for the owner
        auto as = acting_on(actor, event.calendar, Privileges::write_content);
        return rsvp_event(as, event, partstat, instance, comment, now);
    }
    std::string address;
    try {
        answer_invitation_with(actor, event.calendar, event.owner_name, event.object.name,
                               [&](const std::string& copy, icalcomponent* parsed, const std::string& attendee) {
                                   address = attendee;
                                   if (instance) {
                                       auto answered = edited(
                                           ical::with_instance_partstat(copy, attendee, partstat, *instance, now));
                                       return AnsweredCopy{comment.empty() ? answered : ical::with_comment(answered, comment)};
                                   }
                                   // The whole event's answer edits the parse answer_invitation_with made.
                                   if (!comment.empty()) ical::set_comment(parsed, comment);
                                   return AnsweredCopy{ical::with_partstat(parsed, attendee, partstat), true};
                               });
    } catch (const Error& e) {
        // CalDAV names the data it refuses (valid-calendar-data); here the
        // refusal is of the caller, who is not invited.
        if (e.status() == 403 && e.precondition() == Precondition::valid_calendar_data && address.empty())
            throw Error(403, e.description());
        throw;
    }
    return bare_of(address);
}

ListedPage list_events_page(Actor& actor, std::int64_t start, std::int64_t end,
                            const std::vector<std::string>& calendars, const std::optional<ListCursor>& after,
                            std::size_t limit) {
    if (end <= start) throw EventFieldError("end", "the range must end after it starts");
    Listing listing;
    listing.calendars = listed_calendars(actor, calendars);
    std::vector<ObjectRecord> objects;
    for (std::size_t c = 0; c < listing.calendars.size(); ++c) {
        objects.clear();
        // Only what the parsed-event cache reads is taken (the record is the
        // store's, refilled per member: left whole, its strings are reused).
        actor.store.visit_objects_in_range(listing.calendars[c].calendar.id, start, end, true, [&](ObjectRecord& o) {
            if (o.component != "VEVENT") return;
            auto& kept = objects.emplace_back();
            kept.id = o.id;
            kept.etag = o.etag;
            if (o.shared_data)
                kept.shared_data = o.shared_data;
            else
                kept.data = std::move(o.data);
        });
        for (auto& o : objects) {
            list_object(actor, c, o, start, end, listing);
            if (listing.occurrences.size() > actor.limits.max_instances)
                throw Error(422, "the range holds more than " +
                                     std::to_string(actor.limits.max_instances) +
                                     " occurrences; ask for a shorter one");
        }
    }
    auto& all = listing.occurrences;
    std::sort(all.begin(), all.end(), [](const Occurrence& a, const Occurrence& b) {
        return std::tie(a.start, *a.event_id, a.instance_date) < std::tie(b.start, *b.event_id, b.instance_date);
    });
    mark_conflicts(all);
    // The page starts after the cursor's start and event id (sorted by both,
    // so the occurrences at or before it are a prefix).
    auto from = all.begin();
    if (after)
        from = std::partition_point(all.begin(), all.end(), [&](const Occurrence& o) {
            return o.start < after->start || (o.start == after->start && *o.event_id <= after->event_id);
        });
    const auto left = static_cast<std::size_t>(all.end() - from);
    auto stop = left > limit ? from + static_cast<std::ptrdiff_t>(limit) : all.end();
    ListedPage page;
    page.total = all.size();
    page.more = stop != all.end();
    page.instances.reserve(static_cast<std::size_t>(stop - from));
    for (auto it = from; it != stop; ++it) page.instances.push_back(listed_instance(listing, *it));
    return page;
}

std::vector<ListedInstance> list_events(Actor& actor, std::int64_t start, std::int64_t end,
                                        const std::vector<std::string>& calendars) {
    return list_events_page(actor, start, end, calendars, std::nullopt, std::numeric_limits<std::size_t>::max())
        .instances;
}

std::string instance_id(const std::string& uid, std::int64_t instance) {
    return uid + "_" + ical::format_utc(instance);
}

std::string api_status(const std::string& partstat) {
    if (partstat == "NEEDS-ACTION" || partstat.empty()) return "pending";
    std::string out;
    for (char c : partstat) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;  // accepted, declined, tentative, delegated (and any other, in lower case)
}

}  // namespace caldav

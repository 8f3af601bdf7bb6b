// GET of a calendar collection: the whole calendar as one text/calendar
// document (an export a user can subscribe to), streamed page by page.
#include <memory>
#include <set>

#include "caldav/calendar_data_select.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"

namespace caldav {

namespace {

/// Folds a content line at 75 octets (RFC 5545 §3.1) without splitting UTF-8.
std::string folded(std::string_view line) {
    std::string out;
    std::size_t width = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        bool continuation = (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
        if (width >= 74 && !continuation) {
            out += "\r\n ";
            width = 1;
        }
        out.push_back(line[i]);
        ++width;
    }
    return out + "\r\n";
}

std::string escape_text(std::string_view s) {
    std::string out;
    for (char ch : s) {
        if (ch == '\\' || ch == ';' || ch == ',') out.push_back('\\');
        if (ch == '\n') {
            out += "\\n";
            continue;
        }
        if (ch == '\r') continue;
        out.push_back(ch);
    }
    return out;
}

struct ExportStream {
    Store& store;
    std::int64_t collection_id;
    std::string after;
    std::set<std::string> timezones_sent;
    bool done = false;
    std::string (*redact)(std::string_view) = nullptr;

    std::string next() {
        if (done) return {};
        constexpr std::size_t page = 200;
        auto objects = store.list_objects_page(collection_id, after, page, true);
        std::string out;
        for (const auto& o : objects) {
            after = o.name;
            auto parts = split_calendar(o.data);
            for (auto& [tzid, text] : parts.timezones)
                if (timezones_sent.insert(tzid).second) out += text;
            out += redact ? redact(parts.components) : parts.components;
        }
        if (objects.size() < page) {
            done = true;
            out += "END:VCALENDAR\r\n";
        }
        return out;
    }
};

}  // namespace

Response export_calendar(Context& ctx, std::string (*redact)(std::string_view)) {
    const auto& c = *ctx.target.collection;
    if (c.kind != CollectionKind::calendar) throw Error(405, "GET is offered on calendars and calendar objects");
    // The collection's revision changes with every member change (like getctag).
    auto etag = "\"cal-" + std::to_string(c.id) + "-" + std::to_string(c.revision) + "\"";
    Response r;
    r.headers.set("ETag", etag);
    r.headers.set("Last-Modified", http_date(c.modified_at));
    if (auto inm = ctx.request.headers.get("If-None-Match"); inm && std::string_view(*inm).find(etag) != std::string_view::npos) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    r.headers.set("Content-Type", "text/calendar; charset=utf-8");
    r.headers.set("Content-Disposition", "inline; filename=\"" + c.name + ".ics\"");
    std::string name = c.display_name.empty() ? c.name : c.display_name;
    r.body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//Kalends//EN\r\nCALSCALE:GREGORIAN\r\n" +
             folded("X-WR-CALNAME:" + escape_text(name));
    if (ctx.request.method == "HEAD") {
        r.body.clear();
        return r;
    }
    auto stream = std::make_shared<ExportStream>(ExportStream{ctx.store, c.id, {}, {}, false, redact});
    r.next_chunk = [stream] { return stream->next(); };
    return r;
}

}  // namespace caldav

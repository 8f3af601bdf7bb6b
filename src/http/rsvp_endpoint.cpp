// Answer links (issue 6 §5): the token checked, the invitation looked up on
// the organizer's copy, and an answer applied through caldav::apply_imip as
// the attendee's emailed REPLY (RFC 6047 §2, RFC 5546 §3.2.3).
#include "src/http/rsvp_endpoint.hpp"

#include <array>
#include <chrono>
#include <exception>

#include "caldav/imip.hpp"
#include "caldav/scheduling.hpp"
#include "ical/itip.hpp"
#include "ical/scheduling.hpp"
#include "src/mail/rsvp_token.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

struct Answer {
    std::string_view partstat;
    std::string_view button;
    std::string_view done;
};

constexpr std::array<Answer, 3> answers{{
    {"ACCEPTED", "Accept", "accepted"},
    {"DECLINED", "Decline", "declined"},
    {"TENTATIVE", "Tentative", "tentatively accepted"},
}};

const Answer* answer_for(std::string_view partstat) {
    for (const auto& a : answers)
        if (a.partstat == partstat) return &a;
    return nullptr;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// A complete HTML page around `body_html` (already escaped).
caldav::Response page(int status, std::string_view title, const std::string& body_html) {
    caldav::Response r;
    r.status = status;
    r.headers.set("Content-Type", "text/html; charset=utf-8");
    r.headers.set("Cache-Control", "no-store");
    // The token is in the URL: keep it out of Referer headers and frames.
    r.headers.set("Referrer-Policy", "no-referrer");
    r.headers.set("X-Frame-Options", "DENY");
    r.headers.set("Content-Security-Policy",
                  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    r.body =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>" +
        html_escape(title) + "</title></head>\n<body>\n<h1>" + html_escape(title) + "</h1>\n" +
        body_html + "</body></html>\n";
    return r;
}

caldav::Response refusal(int status, std::string_view title, std::string_view text) {
    return page(status, title, "<p>" + html_escape(text) + "</p>\n");
}

/// The value of `key` in an application/x-www-form-urlencoded text (only
/// plain values are looked for: the answers are upper-case words).
std::string form_value(std::string_view form, std::string_view key) {
    while (!form.empty()) {
        auto amp = form.find('&');
        auto pair = form.substr(0, amp);
        form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == key)
            return std::string(pair.substr(eq + 1));
    }
    return {};
}

}  // namespace

RsvpEndpoint::RsvpEndpoint(caldav::Store& store, caldav::Limits limits, std::string secret,
                           WallClock now)
    : store_(store), limits_(limits), secret_(std::move(secret)), now_(std::move(now)) {
    if (!now_)
        now_ = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
}

caldav::Response RsvpEndpoint::handle(const caldav::Request& request) {
    try {
        return answer(request);
    } catch (const std::exception& e) {
        log::error("rid=" + request.request_id + " rsvp: " + e.what());
        return refusal(500, "Something went wrong",
                       "The answer could not be handled; try again later.");
    }
}

caldav::Response RsvpEndpoint::answer(const caldav::Request& request) {
    const std::string rid = "rid=" + request.request_id + " rsvp: ";
    bool post = request.method == "POST";
    if (!post && request.method != "GET" && request.method != "HEAD") {
        auto r = refusal(405, "Not allowed", "Use the link from the invitation email.");
        r.headers.set("Allow", "GET, HEAD, POST");
        return r;
    }
    std::string_view text(request.path);
    text.remove_prefix(std::string_view("/rsvp/").size());
    auto verified = verify_rsvp_token(text, secret_, now_());
    if (verified.check == RsvpCheck::forged) {
        log::warn(rid + "refused a forged or damaged link token");
        return refusal(403, "Invalid link",
                       "This answer link is not valid. Use the link from the invitation email.");
    }
    const auto& token = verified.token;
    if (verified.check == RsvpCheck::expired) {
        log::info(rid + "expired link for " + token.uid + " and " + token.attendee);
        return refusal(
            410, "Link expired",
            "This answer link has expired. Answer from your email or ask the organizer.");
    }
    // The invitation must still stand: organizer, event, and this attendee on it.
    auto organizer = store_.find_principal(token.organizer);
    std::optional<caldav::ObjectRecord> copy;
    std::optional<ical::ItipSummary> summary;
    if (organizer && organizer->id == token.organizer_id && organizer->kind == "user")
        copy = store_.find_object_by_uid(organizer->id, token.uid);
    if (copy) summary = ical::itip_summary(copy->data);
    if (!summary || !caldav::is_own_address(*organizer, summary->organizer.address)) {
        log::info(rid + "event " + token.uid + " of " + token.organizer + " is gone");
        return refusal(404, "Event not found", "This event no longer exists.");
    }
    const ical::ItipParty* attendee = nullptr;
    for (const auto& a : summary->attendees)
        if (ical::same_address(a.address, token.attendee)) attendee = &a;
    if (!attendee) {
        log::info(rid + token.attendee + " is no longer invited to " + token.uid);
        return refusal(404, "Invitation not found", "You are no longer invited to this event.");
    }
    if (!post) {
        std::string body = "<p><strong>" +
                           html_escape(summary->summary.empty() ? "(no title)" : summary->summary) +
                           "</strong></p>\n<ul>\n";
        if (!summary->when.empty()) body += "<li>When: " + html_escape(summary->when) + "</li>\n";
        if (!summary->location.empty())
            body += "<li>Where: " + html_escape(summary->location) + "</li>\n";
        std::string org = summary->organizer.name.empty()
                              ? caldav::mail_address(summary->organizer.address)
                              : summary->organizer.name;
        body += "<li>Organizer: " + html_escape(org) + "</li>\n";
        body += "<li>Invited: " + html_escape(caldav::mail_address(attendee->address)) + "</li>\n";
        if (!attendee->partstat.empty())
            body += "<li>Your answer so far: " + html_escape(attendee->partstat) + "</li>\n";
        body += "</ul>\n<form method=\"post\">\n";
        for (const auto& a : answers)
            body += "<button type=\"submit\" name=\"partstat\" value=\"" + std::string(a.partstat) +
                    "\">" + std::string(a.button) + "</button>\n";
        body += "</form>\n";
        return page(200, "Invitation", body);
    }
    auto partstat = form_value(request.body, "partstat");
    const Answer* chosen = answer_for(partstat);
    if (!chosen) {
        log::info(rid + "bad partstat '" + partstat.substr(0, 40) + "' for " + token.uid);
        return refusal(400, "Bad answer", "Choose Accept, Decline or Tentative.");
    }
    if (token.partstat != "any" && token.partstat != partstat) {
        log::warn(rid + "the link for " + token.uid + " allows only " + token.partstat);
        return refusal(403, "Invalid link", "This link does not allow that answer.");
    }
    // Exactly what an emailed REPLY from this attendee does (caldav/imip.cpp).
    auto reply = ical::itip_message(ical::with_partstat(copy->data, attendee->address, partstat),
                                    "REPLY", attendee->address);
    auto result =
        caldav::apply_imip(store_, limits_, reply, {caldav::mail_address(attendee->address)}, {});
    using caldav::ImipOutcome;
    switch (result.outcome) {
        case ImipOutcome::applied:
            log::info(rid + result.detail);
            return page(
                200, "Thank you",
                "<p>You have " + std::string(chosen->done) + " <strong>" +
                    html_escape(summary->summary.empty() ? "(no title)" : summary->summary) +
                    "</strong>. The organizer has been told.</p>\n");
        case ImipOutcome::busy:
            log::warn(rid + result.detail);
            return refusal(503, "Try again",
                           "The answer could not be saved right now; try again in a minute.");
        case ImipOutcome::bad_data:
            log::error(rid + result.detail);
            return refusal(500, "Something went wrong", "The answer could not be applied.");
        default:
            log::info(rid + result.detail);
            return refusal(404, "Invitation not found",
                           "This invitation can no longer be answered here.");
    }
}

}  // namespace server

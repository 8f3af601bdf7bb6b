// Reminder e-mail built with GMime 3 (issue 26 §4; RFC 3834 §5).
#include "src/mail/reminder_mail.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>

#include "src/mail/gmime_support.hpp"
#include "src/mail/imip_mail.hpp"

namespace server {

namespace {

using gmime::GPtr;
using gmime::one_line;

std::string html_escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

/// Only http(s) links become anchors: anything else is shown as text.
bool linkable(std::string_view url) { return url.starts_with("https://") || url.starts_with("http://"); }

std::string title_of(const ReminderMailContent& c) { return c.title.empty() ? "(no title)" : c.title; }

std::string plain_text(const ReminderMailContent& c) {
    std::string out = "Reminder: " + title_of(c) + (c.starts_in.empty() ? "" : " begins " + c.starts_in) + ".\n\n";
    out += "  When:  " + c.when + "\n";
    if (!c.location.empty()) out += "  Where: " + c.location + "\n";
    if (!c.join_url.empty()) out += "  Join:  " + c.join_url + "\n";
    if (!c.event_url.empty()) out += "\nThe event: " + c.event_url + "\n";
    out += "\nThis reminder was sent automatically by your calendar; replies are not read.\n";
    return out;
}

std::string html_text(const ReminderMailContent& c) {
    auto row = [](std::string_view label, const std::string& value_html) {
        return "<tr><th align=\"left\">" + std::string(label) + "</th><td>" + value_html + "</td></tr>\n";
    };
    auto link = [](const std::string& url) {
        return linkable(url) ? "<a href=\"" + html_escaped(url) + "\">" + html_escaped(url) + "</a>"
                             : html_escaped(url);
    };
    std::string out = "<!DOCTYPE html>\n<html><body>\n<p><strong>" + html_escaped(title_of(c)) + "</strong>" +
                      (c.starts_in.empty() ? "" : " begins " + html_escaped(c.starts_in)) + ".</p>\n<table>\n";
    out += row("When", html_escaped(c.when));
    if (!c.location.empty()) out += row("Where", html_escaped(c.location));
    if (!c.join_url.empty()) out += row("Join", link(c.join_url));
    out += "</table>\n";
    if (!c.event_url.empty()) out += "<p>" + link(c.event_url) + "</p>\n";
    out += "<p><small>This reminder was sent automatically by your calendar; replies are not read.</small></p>\n";
    return out + "</body></html>\n";
}

GMimeTextPart* text_part(const char* subtype, const std::string& text) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
    g_mime_text_part_set_text(part, text.c_str());
    g_mime_text_part_set_charset(part, "utf-8");
    g_mime_part_set_content_encoding(
        GMIME_PART(part), g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
    return part;
}

}  // namespace

std::string compose_reminder_message(const ReminderMailContent& c) {
    ensure_gmime();
    GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    GPtr<InternetAddressList> from(internet_address_list_parse(nullptr, one_line(c.server_from).c_str()));
    if (from) internet_address_list_append(g_mime_message_get_from(message.get()), from.get());
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, "", one_line(c.recipient).c_str());
    g_mime_message_set_subject(message.get(), one_line("Reminder: " + title_of(c) + " @ " + c.when).c_str(),
                               "utf-8");
    gmime::stamp_date_and_id(message.get(), mailbox_address(c.server_from));
    auto* headers = GMIME_OBJECT(message.get());
    // RFC 3834 §5: automatic, so responders do not answer it; Exchange's
    // own header and Precedence for the responders that read only those.
    g_mime_object_set_header(headers, "Auto-Submitted", "auto-generated", nullptr);
    g_mime_object_set_header(headers, "X-Auto-Response-Suppress", "All", nullptr);
    g_mime_object_set_header(headers, "Precedence", "bulk", nullptr);

    GPtr<GMimeMultipart> body(g_mime_multipart_new_with_subtype("alternative"));
    GPtr<GMimeTextPart> plain(text_part("plain", plain_text(c)));
    GPtr<GMimeTextPart> html(text_part("html", html_text(c)));
    g_mime_multipart_add(body.get(), GMIME_OBJECT(plain.get()));
    g_mime_multipart_add(body.get(), GMIME_OBJECT(html.get()));
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(body.get()));
    g_mime_object_set_header(headers, "MIME-Version", "1.0", nullptr);

    GMimeFormatOptions* options = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
    char* raw = g_mime_object_to_string(headers, options);
    g_mime_format_options_free(options);
    std::string out = raw ? raw : "";
    g_free(raw);
    return out;
}

}  // namespace server

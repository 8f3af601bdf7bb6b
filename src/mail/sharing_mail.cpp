// The sharing e-mail (issue 25 §9) built with GMime 3, and the
// ImipComposer's part that fills it in for caldav/sharing.cpp.
#include "src/mail/sharing_mail.hpp"

#include <gmime/gmime.h>

#include "src/mail/gmime_support.hpp"
#include "src/mail/imip_gateway.hpp"
#include "src/mail/imip_mail.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

using gmime::GPtr;
using gmime::one_line;

std::string body_of(const ShareMailContent& c) {
    // Names are the users' own text: one line each, here as in the headers.
    std::string out = one_line(c.owner) + (c.owner_email.empty() ? "" : " <" + one_line(c.owner_email) + ">") +
                      " shared the calendar \"" + one_line(c.calendar) + "\" with you.\n\n";
    out += "  Permission: " + c.permission + " (" + permission_words(c.permission) + ")\n";
    if (!c.link.empty()) out += "  Calendar:   " + c.link + "\n";
    out += "\nIt appears in your calendar app once your account there is refreshed";
    out += c.permission == "free-busy" ? " (as busy time, in scheduling).\n" : ".\n";
    out += "\nThis message was sent automatically; replies are not read.\n";
    return out;
}

}  // namespace

std::string permission_words(const std::string& permission) {
    if (permission == "free-busy") return "see when they are busy, not what they do";
    if (permission == "view") return "see its events";
    if (permission == "edit") return "see, add and change its events";
    if (permission == "admin") return "see, add, change and delete its events, and share it further";
    return "see it";
}

std::string compose_share_message(const ShareMailContent& c) {
    ensure_gmime();
    GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    GPtr<InternetAddressList> from(internet_address_list_parse(nullptr, one_line(c.server_from).c_str()));
    if (from) internet_address_list_append(g_mime_message_get_from(message.get()), from.get());
    if (!c.owner_email.empty())
        g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO, one_line(c.owner).c_str(),
                                   one_line(c.owner_email).c_str());
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, "", one_line(c.recipient).c_str());
    g_mime_message_set_subject(
        message.get(), one_line(c.owner + " shared the calendar \"" + c.calendar + "\" with you").c_str(), "utf-8");
    gmime::stamp_date_and_id(message.get(), mailbox_address(c.server_from));
    auto* headers = GMIME_OBJECT(message.get());
    g_mime_object_set_header(headers, "Auto-Submitted", "auto-generated", nullptr);  // RFC 3834 §5
    GPtr<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
    g_mime_text_part_set_text(text.get(), body_of(c).c_str());
    g_mime_text_part_set_charset(text.get(), "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(text.get()), g_mime_part_get_best_content_encoding(
                                                                 GMIME_PART(text.get()), GMIME_ENCODING_CONSTRAINT_7BIT));
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(text.get()));
    g_mime_object_set_header(headers, "MIME-Version", "1.0", nullptr);
    GMimeFormatOptions* options = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
    char* raw = g_mime_object_to_string(headers, options);
    g_mime_format_options_free(options);
    std::string out = raw ? raw : "";
    g_free(raw);
    return out;
}

std::optional<caldav::OutgoingMail> ImipComposer::compose_share_notice(const caldav::ShareNotice& n) {
    if (n.sharee.email.empty() || envelope_sender_.empty()) return std::nullopt;
    bool first_refusal = false;
    if (!admit(n.owner.id, first_refusal)) {
        if (first_refusal) log::warn("sharing: not mailing " + n.sharee.email + ": " + n.owner.name +
                                     " used up limits.mail-per-minute");
        return std::nullopt;
    }
    ShareMailContent c;
    c.server_from = smtp_.from;
    c.recipient = n.sharee.email;
    c.owner = n.owner.display_name.empty() ? n.owner.name : n.owner.display_name;
    c.owner_email = n.owner.email;
    c.calendar = n.calendar_name;
    c.permission = std::string(caldav::share_permission_name(n.permission));
    c.link = links_.public_url.empty() ? std::string() : links_.public_url + n.calendar_path;
    caldav::OutgoingMail mail;
    mail.principal_id = n.owner.id;
    mail.recipient = n.sharee.email;
    mail.envelope_sender = envelope_sender_;
    mail.message = compose_share_message(c);
    log::info("sharing: composed the notice of " + n.calendar_path + " to " + n.sharee.email);
    return mail;
}

}  // namespace server

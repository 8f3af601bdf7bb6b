// iMIP messages (RFC 6047) built and read with GMime 3.
#include "src/mail/imip_mail.hpp"
#include "src/mail/gmime_support.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace server {

namespace {

using gmime::GPtr;
using gmime::one_line;

std::string bare(std::string_view address) {
    if (address.size() >= 7) {
        std::string scheme(address.substr(0, 7));
        std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (scheme == "mailto:") return std::string(address.substr(7));
    }
    return std::string(address);
}

/// The display name and address of a mailbox text, via GMime's address parser.
std::pair<std::string, std::string> parse_mailbox(std::string_view text) {
    ensure_gmime();
    std::string copy = one_line(text);
    GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, copy.c_str()));
    if (!list) return {};
    for (int i = 0; i < internet_address_list_length(list.get()); ++i) {
        InternetAddress* a = internet_address_list_get_address(list.get(), i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
        const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
        const char* name = internet_address_get_name(a);
        if (addr && *addr) return {name ? name : "", addr};
    }
    return {};
}

/// What the originator did, as a verb for the subject and the text.
std::string verb_of(const ical::ItipSummary& s) {
    if (s.method == "CANCEL") return "cancelled";
    if (s.method == "COUNTER") return "proposed a change to";
    if (s.method == "REPLY") {
        auto partstat = s.attendees.empty() ? std::string() : s.attendees.front().partstat;
        if (partstat == "ACCEPTED") return "accepted";
        if (partstat == "DECLINED") return "declined";
        if (partstat == "TENTATIVE") return "tentatively accepted";
        if (partstat == "DELEGATED") return "delegated";
        return "replied to";
    }
    return s.sequence.value_or(0) > 0 ? "updated" : "invited you to";
}

std::string subject_of(const ical::ItipSummary& s) {
    std::string what = s.summary.empty() ? std::string("(no title)") : s.summary;
    if (!s.when.empty()) what += " @ " + s.when;
    if (s.method == "CANCEL") return "Cancelled: " + what;
    if (s.method == "COUNTER") return "New proposal: " + what;
    if (s.method == "REPLY") {
        auto verb = verb_of(s);
        verb[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(verb[0])));
        return verb + ": " + what;
    }
    return (s.sequence.value_or(0) > 0 ? "Updated invitation: " : "Invitation: ") + what;
}

std::string named(const std::string& name, const std::string& address) {
    return one_line(name.empty() ? address : name + " <" + address + ">");
}

/// The readable part: who did what, and the event's what, when and where.
std::string text_of(const ImipAddresses& who, const ical::ItipSummary& s) {
    std::string originator = who.originator_name.empty() ? who.originator : who.originator_name;
    std::string out = originator + " has " + verb_of(s) + ":\n\n";
    out += "  What:      " + (s.summary.empty() ? std::string("(no title)") : s.summary) + "\n";
    if (!s.when.empty())
        out += "  When:      " + s.when + (s.recurring ? ", repeating" : "") + "\n";
    if (!s.location.empty()) out += "  Where:     " + s.location + "\n";
    out += "  Organizer: " + named(s.organizer.name, bare(s.organizer.address)) + "\n";
    if (s.method == "REQUEST") {
        std::size_t shown = 0;
        for (const auto& a : s.attendees) {
            out += shown == 0 ? "  Attendees: " : "             ";
            out += named(a.name, bare(a.address)) + "\n";
            if (++shown == 20 && s.attendees.size() > 20) {
                out += "             and " + std::to_string(s.attendees.size() - 20) + " more\n";
                break;
            }
        }
        out +=
            "\nYour calendar program can answer from the invitation attached to this email;\n"
            "a reply to this email reaches the organizer.\n";
        if (!who.answer_url.empty()) {
            // Issue 6 §5: for attendees without a calendar program.
            out += "\nOr answer in your browser:\n";
            out += "  Accept:    " + who.answer_url + "?partstat=ACCEPTED\n";
            out += "  Decline:   " + who.answer_url + "?partstat=DECLINED\n";
            out += "  Tentative: " + who.answer_url + "?partstat=TENTATIVE\n";
        }
    }
    return out;
}

GMimeTextPart* text_part(const char* subtype, const std::string& text) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
    g_mime_text_part_set_text(part, text.c_str());
    g_mime_text_part_set_charset(part, "utf-8");
    g_mime_part_set_content_encoding(
        GMIME_PART(part),
        g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
    return part;
}

std::string domain_of(const std::string& address) {
    auto at = address.rfind('@');
    return at == std::string::npos ? std::string("localhost") : address.substr(at + 1);
}

/// The decoded bytes of a leaf part, converted from its charset to UTF-8.
std::string decoded(GMimeObject* object) {
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (!content) return {};
    GPtr<GMimeStream> memory(g_mime_stream_mem_new());
    GPtr<GMimeStream> filtered(g_mime_stream_filter_new(memory.get()));
    const char* charset = g_mime_object_get_content_type_parameter(object, "charset");
    if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(charset, "us-ascii") != 0) {
        if (GMimeFilter* convert = g_mime_filter_charset_new(charset, "utf-8")) {
            g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), convert);
            g_object_unref(convert);
        }
    }
    if (g_mime_data_wrapper_write_to_stream(content, filtered.get()) < 0) return {};
    g_mime_stream_flush(filtered.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len)
                 : std::string();
}

/// How much a part looks like the iTIP message: 2 text/calendar with a method
/// (what RFC 6047 §2.4 sends), 1 other calendar parts (Gmail's invite.ics
/// attachment, application/ics), 0 not calendar data.
int calendar_rank(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    bool calendar = g_mime_content_type_is_type(type, "text", "calendar");
    if (calendar && g_mime_object_get_content_type_parameter(object, "method")) return 2;
    if (calendar || g_mime_content_type_is_type(type, "application", "ics")) return 1;
    const char* name = g_mime_part_get_filename(GMIME_PART(object));
    std::string_view file = name ? name : "";
    return file.size() > 4 && g_ascii_strcasecmp(std::string(file.substr(file.size() - 4)).c_str(),
                                                 ".ics") == 0
               ? 1
               : 0;
}

/// Collects the calendar parts under `object` (multiparts and attached
/// messages included), at most `depth` levels down.
void collect(GMimeObject* object, int depth, std::vector<std::pair<int, std::string>>& out,
             std::string& text) {
    if (!object || depth <= 0) return;
    if (GMIME_IS_MULTIPART(object)) {
        auto* multipart = GMIME_MULTIPART(object);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i)
            collect(g_mime_multipart_get_part(multipart, i), depth - 1, out, text);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        if (GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)))
            collect(g_mime_message_get_mime_part(inner), depth - 1, out, text);
    } else if (GMIME_IS_PART(object)) {
        if (int rank = calendar_rank(object); rank > 0) {
            out.emplace_back(rank, decoded(object));
        } else if (text.empty() && g_mime_content_type_is_type(
                                       g_mime_object_get_content_type(object), "text", "plain")) {
            text = decoded(object);
        }
    }
}

void add_addresses(InternetAddressList* list, std::vector<std::string>& out) {
    if (!list) return;
    for (int i = 0; i < internet_address_list_length(list); ++i) {
        InternetAddress* a = internet_address_list_get_address(list, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
        if (const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
            addr && *addr)
            out.emplace_back(addr);
    }
}

}  // namespace

void ensure_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string mailbox_address(std::string_view text) { return parse_mailbox(text).second; }

std::string compose_imip_message(const ImipAddresses& who, const ical::ItipSummary& summary,
                                 const std::string& itip) {
    ensure_gmime();
    auto [server_name, server_address] = parse_mailbox(who.server_from);
    GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    // RFC 6047 §3: the server sends on the originator's behalf from its own
    // mailbox (so SPF/DMARC hold); Reply-To carries the originator, so that
    // a reply from a mail program reaches the organizer, not the server.
    std::string display = who.originator_name.empty() ? who.originator : who.originator_name;
    display = one_line(display +
                       (server_name.empty() ? std::string(" via Kalends") : " via " + server_name));
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, display.c_str(),
                               server_address.c_str());
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO,
                               one_line(who.originator_name).c_str(),
                               one_line(who.originator).c_str());
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO,
                               one_line(who.recipient_name).c_str(),
                               one_line(who.recipient).c_str());
    g_mime_message_set_subject(message.get(), one_line(subject_of(summary)).c_str(), "utf-8");
    GDateTime* now = g_date_time_new_now_utc();
    g_mime_message_set_date(message.get(), now);
    g_date_time_unref(now);
    char* id = g_mime_utils_generate_message_id(domain_of(server_address).c_str());
    g_mime_message_set_message_id(message.get(), id);
    g_free(id);

    GPtr<GMimeMultipart> body(g_mime_multipart_new_with_subtype("alternative"));
    GPtr<GMimeTextPart> text(text_part("plain", text_of(who, summary)));
    GPtr<GMimeTextPart> calendar(text_part("calendar", itip));
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(calendar.get()), "method",
                                             summary.method.c_str());
    if (!summary.component.empty())
        g_mime_object_set_content_type_parameter(GMIME_OBJECT(calendar.get()), "component",
                                                 summary.component.c_str());
    g_mime_multipart_add(body.get(), GMIME_OBJECT(text.get()));
    g_mime_multipart_add(body.get(), GMIME_OBJECT(calendar.get()));
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(body.get()));
    g_mime_object_set_header(GMIME_OBJECT(message.get()), "MIME-Version", "1.0", nullptr);

    GMimeFormatOptions* options = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
    char* raw = g_mime_object_to_string(GMIME_OBJECT(message.get()), options);
    g_mime_format_options_free(options);
    std::string out = raw ? raw : "";
    g_free(raw);
    return out;
}

std::optional<ReceivedMail> parse_received_mail(std::string_view raw) {
    ensure_gmime();
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) return std::nullopt;
    ReceivedMail mail;
    add_addresses(g_mime_message_get_from(message.get()), mail.senders);
    add_addresses(g_mime_message_get_sender(message.get()), mail.senders);
    std::vector<std::pair<int, std::string>> found;
    collect(g_mime_message_get_mime_part(message.get()), 8, found, mail.text);
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [rank, text] : found)
        if (!text.empty()) mail.calendars.push_back(std::move(text));
    return mail;
}

}  // namespace server

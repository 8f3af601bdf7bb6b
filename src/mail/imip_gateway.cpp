// Outgoing iMIP (RFC 6047): composing the message, per-user rate limit (issue 6 §7).
#include "src/mail/imip_gateway.hpp"

#include <cctype>

#include "ical/itip.hpp"
#include "ical/scheduling.hpp"
#include "src/mail/imip_mail.hpp"
#include "src/mail/rsvp_token.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

/// The bare email address of a "mailto:" calendar user address, or empty when
/// it is none (or could smuggle SMTP syntax).
std::string email_of(std::string_view address) {
    if (address.size() < 8) return {};
    std::string scheme(address.substr(0, 7));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "mailto:") return {};
    std::string mail(address.substr(7));
    auto at = mail.find('@');
    if (at == 0 || at == std::string::npos || at + 1 == mail.size()) return {};
    for (unsigned char c : mail)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '"') return {};
    return mail;
}

const ical::ItipParty* party(const std::vector<ical::ItipParty>& list, std::string_view address) {
    for (const auto& p : list)
        if (ical::same_address(p.address, address)) return &p;
    return nullptr;
}

}  // namespace

ImipComposer::ImipComposer(SmtpConfig smtp, unsigned per_minute, Clock clock)
    : smtp_(std::move(smtp)), per_minute_(per_minute), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
    envelope_sender_ = mailbox_address(smtp_.from);
}

void ImipComposer::set_answer_links(ImipLinkConfig links, std::string secret,
                                    std::function<std::int64_t()> now) {
    links_ = std::move(links);
    link_secret_ = std::move(secret);
    wall_clock_ = std::move(now);
    if (!wall_clock_)
        wall_clock_ = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
}

bool ImipComposer::admit(std::int64_t sender_id, bool& first_refusal) {
    auto now = clock_();
    std::lock_guard lock(mutex_);
    auto& times = sent_[sender_id];
    while (!times.empty() && now - times.front() >= std::chrono::minutes(1)) times.pop_front();
    if (times.size() < per_minute_) {
        times.push_back(now);
        return true;
    }
    auto warned = warned_.find(sender_id);
    first_refusal = warned == warned_.end() || now - warned->second >= std::chrono::minutes(1);
    if (first_refusal) warned_[sender_id] = now;
    return false;
}

std::optional<caldav::OutgoingMail> ImipComposer::compose(const caldav::PrincipalRecord& sender,
                                                          std::string_view recipient,
                                                          const std::string& itip) {
    auto to = email_of(recipient);
    if (to.empty() || envelope_sender_.empty()) return std::nullopt;
    // The allowance first: a refused message costs no parsing or building.
    bool first_refusal = false;
    if (!admit(sender.id, first_refusal)) {
        if (first_refusal)
            log::warn("imip: not sending to " + to + " and others: " + sender.name + " sent " +
                      std::to_string(per_minute_) +
                      " messages in the last minute (limits.mail-per-minute); their attendees get "
                      "SCHEDULE-STATUS 5.1");
        return std::nullopt;
    }
    auto summary = ical::itip_summary(itip);
    if (!summary) return std::nullopt;
    ImipAddresses who;
    who.server_from = smtp_.from;
    who.recipient = to;
    // The originator: the organizer of a request, the attendee of a reply.
    bool reply = summary->method == "REPLY" || summary->method == "COUNTER";
    const ical::ItipParty* origin =
        reply ? (summary->attendees.empty() ? nullptr : &summary->attendees.front())
              : &summary->organizer;
    who.originator = origin ? email_of(origin->address) : std::string();
    if (who.originator.empty())
        who.originator = sender.email.empty() ? envelope_sender_ : sender.email;
    who.originator_name = origin && !origin->name.empty() ? origin->name : sender.display_name;
    if (const auto* r = party(summary->attendees, recipient)) who.recipient_name = r->name;
    if (reply && !summary->organizer.name.empty()) who.recipient_name = summary->organizer.name;
    if (summary->method == "REQUEST" && links_.enabled() && !link_secret_.empty()) {
        RsvpToken token;
        token.organizer_id = sender.id;
        token.organizer = sender.name;
        token.uid = summary->uid;
        token.attendee = std::string(recipient);
        token.expires = wall_clock_() + std::int64_t(links_.link_days) * 86400;
        if (auto text = sign_rsvp_token(token, link_secret_); !text.empty())
            who.answer_url = links_.public_url + "/rsvp/" + text;
    }
    caldav::OutgoingMail mail;
    mail.principal_id = sender.id;
    mail.uid = summary->uid;
    mail.recipient = to;
    mail.envelope_sender = envelope_sender_;
    mail.message = compose_imip_message(who, *summary, itip);
    log::info("imip: composed " + summary->method + " for " + summary->uid + " to " + to);
    return mail;
}

}  // namespace server

// `kalends imip deliver` (RFC 6047 §2): MIME parsing in src/mail, iTIP
// semantics in caldav/imip.cpp; this file maps outcomes to exit statuses.
#include "src/cli/imip_command.hpp"

#include <iostream>
#include <iterator>

#include "caldav/imip.hpp"
#include "src/mail/imip_mail.hpp"

namespace server {

namespace {

int exit_of(caldav::ImipOutcome outcome) {
    switch (outcome) {
        case caldav::ImipOutcome::applied:
        case caldav::ImipOutcome::ignored:
            return imip_ok;
        case caldav::ImipOutcome::unknown_recipient:
            return imip_nouser;
        case caldav::ImipOutcome::bad_data:
            return imip_dataerr;
        case caldav::ImipOutcome::sender_mismatch:
            return imip_noperm;
        case caldav::ImipOutcome::busy:
            return imip_tempfail;
    }
    return imip_dataerr;
}

}  // namespace

int deliver_imip(caldav::Store& store, const Config& config, std::istream& in,
                 const std::string& envelope_sender, const std::string& recipient) {
    std::string raw;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        raw.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (raw.size() > config.max_body_bytes) {
            std::cerr << "kalends: imip: the email is larger than " << config.max_body_bytes
                      << " bytes\n";
            return imip_dataerr;
        }
    }
    auto mail = parse_received_mail(raw);
    if (!mail) {
        std::cerr << "kalends: imip: standard input is not an email\n";
        return imip_dataerr;
    }
    if (mail->calendars.empty()) {
        std::cerr << "kalends: imip: the email has no text/calendar part\n";
        return imip_dataerr;
    }
    auto senders = mail->senders;
    if (auto bare = mailbox_address(envelope_sender); !bare.empty()) senders.push_back(bare);
    auto to = mailbox_address(recipient);
    // Gmail and others attach the same iTIP text twice (text/calendar and
    // invite.ics): the first part that applies decides; a part that is not
    // iTIP at all gives way to the next.
    caldav::ImipResult result;
    for (const auto& calendar : mail->calendars) {
        result = caldav::apply_imip(store, config.limits, calendar, senders, to);
        if (result.outcome != caldav::ImipOutcome::bad_data) break;
    }
    int status = exit_of(result.outcome);
    std::cerr << "kalends: imip: " << result.detail << "\n";
    return status;
}

}  // namespace server

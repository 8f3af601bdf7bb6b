// Scheduling by email (iMIP, RFC 6047) as the protocol layer sees it: the
// gateway src/ provides for calendar users with no local account, and an
// incoming iTIP message applied to the local users it concerns.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"

namespace caldav {

/// What the e-mail to a new sharee says (issue 25 §9).
struct ShareNotice {
    PrincipalRecord owner;
    PrincipalRecord sharee;
    std::string calendar_name;  ///< its display name (or URL segment)
    SharePermission permission = SharePermission::view;
    std::string calendar_path;  ///< the calendar's URL path, e.g. /dav/calendars/alice/work/
};

/// Turns iTIP messages for external calendar users into email. Implemented in
/// src/mail over the configured SMTP relay; thread-safe. Without one (no relay
/// configured) external attendees are not scheduled (SCHEDULE-STATUS 5.1).
class ImipGateway {
public:
    virtual ~ImipGateway() = default;

    /// The RFC 6047 message carrying `itip` (an iTIP text with METHOD) to
    /// `recipient` (a "mailto:" calendar user address), sent because of a
    /// change by `sender`. nullopt when the recipient is not an email address
    /// or `sender` used up the messages allowed per minute (logged).
    virtual std::optional<OutgoingMail> compose(const PrincipalRecord& sender,
                                                std::string_view recipient,
                                                const std::string& itip) = 0;

    /// The e-mail telling a sharee a calendar was shared with them (issue
    /// 25 §9), or nullopt when none is sent (no relay, the sharee has no
    /// address, or the owner used up their messages per minute).
    virtual std::optional<OutgoingMail> compose_share_notice(const ShareNotice& notice) {
        (void)notice;
        return std::nullopt;
    }
};

/// Records on the organizer's copy (the object `uid` of principal
/// `principal_id`) what became of the email to `recipient` (a bare address):
/// its ATTENDEE gets SCHEDULE-STATUS `status`, e.g. "5.1" when the relay
/// never took it (RFC 6638 §3.2.9). False when the copy is gone, names no
/// such attendee, or changed meanwhile (then a newer round of scheduling
/// speaks for it). Never throws for bad data.
bool record_schedule_status(Store& store, const Limits& limits, std::int64_t principal_id,
                            const std::string& uid, const std::string& recipient,
                            const std::string& status);

/// How an incoming iMIP message was handled; each maps to an exit status an
/// MTA understands (sysexits.h).
enum class ImipOutcome {
    applied,            ///< delivered (0)
    ignored,            ///< understood but outdated or a no-op (0)
    unknown_recipient,  ///< no local user it is for (EX_NOUSER)
    bad_data,           ///< not an iTIP message we can apply (EX_DATAERR)
    sender_mismatch,    ///< the email is not from the party it speaks for (EX_NOPERM)
    busy,               ///< the store refused the write; retry later (EX_TEMPFAIL)
};

/// The outcome and a one-line explanation for the log.
struct ImipResult {
    ImipOutcome outcome = ImipOutcome::bad_data;
    std::string detail;
};

/// Applies an iTIP message that arrived by email (RFC 6047 §2, RFC 5546 §3.2):
/// a REPLY or COUNTER from an attendee to a local organizer (PARTSTAT recorded
/// on the organizer's copy for a REPLY; the message into their inbox), a
/// REQUEST or CANCEL from an organizer to local attendees (inbox, and their
/// copy in the default calendar created, updated or cancelled).
/// `senders` are the bare email addresses the message claims to come from
/// (envelope sender, From, Sender); one must be the ATTENDEE (REPLY, COUNTER)
/// or ORGANIZER (REQUEST, CANCEL) the message speaks for (RFC 6047 §3).
/// `recipient`, when not empty, restricts delivery to that local address.
/// Never throws for bad input.
ImipResult apply_imip(Store& store, const Limits& limits, std::string_view itip,
                      const std::vector<std::string>& senders, std::string_view recipient);

}  // namespace caldav

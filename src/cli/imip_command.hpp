// `kalends imip deliver`: one email from an MTA pipe applied as iMIP (RFC 6047).
#pragma once
#include <istream>
#include <string>

#include "src/config/config.hpp"
#include "caldav/store.hpp"

namespace server {

/// sysexits.h statuses an MTA understands.
enum ImipExit : int {
    imip_ok = 0,
    imip_dataerr = 65,   ///< EX_DATAERR: no applicable iTIP message
    imip_nouser = 67,    ///< EX_NOUSER: no local user it is for
    imip_tempfail = 75,  ///< EX_TEMPFAIL: try again later
    imip_noperm = 77,    ///< EX_NOPERM: the sender is not who the message speaks for
};

/// Reads one email from `in` (at most config.max_body_bytes) and applies the
/// iTIP message it carries (caldav::apply_imip). `envelope_sender` and
/// `recipient` are the SMTP envelope as the MTA knows it (may be empty).
/// Prints one line on stderr (the MTA quotes it in a bounce); returns the
/// exit status.
int deliver_imip(caldav::Store& store, const Config& config, std::istream& in,
                 const std::string& envelope_sender, const std::string& recipient);

}  // namespace server

// Sending one message to the SMTP relay with libcurl (smtp://, smtps://,
// STARTTLS, AUTH): no SMTP protocol code of our own.
#pragma once
#include <string>

#include "src/config/config.hpp"

namespace server {

/// The outcome of one delivery attempt.
struct SmtpResult {
    bool ok = false;
    bool permanent = false;  ///< the relay refused this message for good (5xx to RCPT or DATA)
    std::string error;       ///< curl's message and the last SMTP reply code
};

/// Hands `message` (CRLF line ends) for `recipient` to the relay in `smtp`,
/// MAIL FROM `envelope_sender`. Blocks up to smtp.timeout. Never throws.
SmtpResult send_smtp(const SmtpConfig& smtp, const std::string& envelope_sender,
                     const std::string& recipient, const std::string& message);

}  // namespace server

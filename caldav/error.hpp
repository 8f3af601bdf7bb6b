// caldav::Error: how a request ends in failure (status + precondition element).
#pragma once
#include <stdexcept>
#include <string>

#include "caldav/precondition.hpp"

namespace caldav {

/// Thrown from deep checks of a request and caught only in Service::handle, which
/// renders it as a DAV:error body (STYLE.md §5). `description` is safe to show to
/// the client: it never carries storage or library internals.
class Error : public std::runtime_error {
public:
    Error(int status, Precondition precondition, std::string description, std::string href = {})
        : std::runtime_error(description),
          status_(status),
          precondition_(precondition),
          description_(std::move(description)),
          href_(std::move(href)) {}

    Error(int status, std::string description)
        : Error(status, Precondition::none, std::move(description)) {}

    /// HTTP status to answer with (4xx or 5xx).
    int status() const noexcept { return status_; }
    /// Precondition element to name in the body, or Precondition::none.
    Precondition precondition() const noexcept { return precondition_; }
    /// Human-readable reason, shown in the body in our own namespace.
    const std::string& description() const noexcept { return description_; }
    /// A DAV:href to put inside the precondition element (no-uid-conflict).
    const std::string& href() const noexcept { return href_; }
    /// XML to put inside the precondition element instead of an href (the
    /// DAV:resource elements of DAV:need-privileges, RFC 3744 §7.1.1), with
    /// the prefixes D (DAV:) and C (CalDAV); empty when there is none.
    const std::string& detail() const noexcept { return detail_; }
    /// Sets detail(); returns this error, to be thrown.
    Error& with_detail(std::string xml) {
        detail_ = std::move(xml);
        return *this;
    }

private:
    int status_;
    Precondition precondition_;
    std::string description_;
    std::string href_;
    std::string detail_;
};

}  // namespace caldav

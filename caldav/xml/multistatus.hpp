// Building 207 Multi-Status bodies (RFC 4918 §13) and property elements.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace caldav::xml {

/// "HTTP/1.1 200 OK" for a status code.
std::string status_line(int status);

/// A complete element {ns}local with `inner` XML inside (self-closing when
/// empty). Known namespaces use the prefixes the multistatus root declares
/// (D, C, CS, A); any other gets its own declaration.
std::string element(std::string_view ns, std::string_view local, std::string_view inner = {});

/// The same, appended to `out`.
void append_element(std::string& out, std::string_view ns, std::string_view local, std::string_view inner);

/// "<P:local" of {ns}local, with a namespace declaration when P is not one
/// the root declares; the caller ends the tag.
void open_element(std::string& out, std::string_view ns, std::string_view local);
/// "</P:local>" of {ns}local.
void close_element(std::string& out, std::string_view ns, std::string_view local);

/// Appends {ns}local holding what `write(out)` appends (self-closing when it
/// appends nothing). When `write` returns false nothing stays appended.
template <class Write>
bool append_element_by(std::string& out, std::string_view ns, std::string_view local, Write&& write) {
    const auto start = out.size();
    open_element(out, ns, local);
    out += '>';
    const auto inner = out.size();
    if (!write(out)) {
        out.resize(start);
        return false;
    }
    if (out.size() == inner) {
        out.resize(inner - 1);
        out += "/>";
    } else {
        close_element(out, ns, local);
    }
    return true;
}

/// An element holding escaped text.
std::string text_element(std::string_view ns, std::string_view local, std::string_view text);

/// A DAV:href element for an already percent-encoded href.
std::string href(std::string_view encoded);

/// Properties reported with one status, optionally with a DAV:error child
/// naming a precondition (RFC 4918 §14.22).
struct Propstat {
    int status = 200;
    std::vector<std::string> props;
    std::string error;  ///< inner XML of DAV:error, or empty
};

/// Properties grouped by the status they are reported with.
using Propstats = std::vector<Propstat>;

/// One DAV:response element with propstats (for streamed bodies); with no
/// property at all it carries a 200 DAV:status instead (RFC 4918 §14.24).
std::string response(std::string_view encoded_href, const Propstats& propstats);
/// The same, appended to `out`.
void append_response(std::string& out, std::string_view encoded_href, const Propstats& propstats);
/// The same for the usual two propstats, given as joined property elements:
/// `found` with 200 and `missing` with 404, each left out when empty.
void append_response(std::string& out, std::string_view encoded_href, std::string_view found,
                     std::string_view missing);

/// The same, with the found properties written straight into `out` (no copy
/// of a large calendar-data): begin_response opens the response and its 200
/// propstat; the caller appends the found property elements; end_response
/// closes it with `missing` under 404, dropping the 200 propstat when nothing
/// was appended.
struct OpenResponse {
    std::size_t start = 0;  ///< where the response begins in `out`
    std::size_t found = 0;  ///< where the found properties begin
};
OpenResponse begin_response(std::string& out, std::string_view encoded_href);
void end_response(std::string& out, const OpenResponse& open, std::string_view encoded_href,
                  std::string_view missing);

/// Accumulates DAV:response elements into a DAV:multistatus document.
class Multistatus {
public:
    /// `root` is the document element's local name in the DAV: namespace
    /// (multistatus) or a qualified name such as "C:mkcalendar-response".
    explicit Multistatus(std::string_view root = "D:multistatus");

    /// A response with one propstat per status (empty groups are skipped).
    void add(std::string_view encoded_href, const Propstats& propstats);
    /// A response carrying only a status (e.g. 404 for a deleted member).
    void add_status(std::string_view encoded_href, int status);
    /// Raw XML appended inside the root (e.g. DAV:sync-token).
    void append(std::string_view xml);
    /// The document so far, for writers that append responses in place.
    std::string& buffer() { return out_; }
    /// Propstats directly under the root (for mkcalendar-response).
    void add_root_propstats(const Propstats& propstats);
    /// The finished document.
    std::string finish();
    /// The document so far, leaving it open (for a streamed body), and the
    /// text that closes it.
    std::string take_open();
    std::string closing() const { return "</" + root_ + ">"; }

private:
    std::string out_;
    std::string root_;
};

}  // namespace caldav::xml

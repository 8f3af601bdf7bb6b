// Golden-file transcripts (STYLE.md §6): parsing `tests/golden/**/*.txt`, matching
// responses against expectations (canonical XML, {etag:e1} captures, {any}), and
// rewriting expectations for --update-golden.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_support::golden {

/// Values captured by `{kind:id}` placeholders, keyed by "kind:id"; shared by every
/// exchange of one file so a later request or expectation can reuse them.
using Captures = std::map<std::string, std::string>;

/// One expected response as written in the file.
struct Expected {
    int status = 0;
    std::string status_line;                                  ///< as written, e.g. "HTTP/1.1 404 Not Found"
    std::vector<std::pair<std::string, std::string>> headers; ///< listed headers, in file order
    std::string body;                                         ///< LF line endings, trailing newlines removed
};

/// One request/expected-response pair.
struct Exchange {
    std::string request;  ///< request text as written (LF line endings)
    Expected expected;
    bool has_expectation = false;  ///< false when nothing follows `----` yet (update mode fills it)
};

/// A parsed golden file.
struct File {
    std::string name;                 ///< `# name:`
    std::string spec;                 ///< `# spec:`
    std::vector<std::string> setup;   ///< every `# setup:` line, in order
    std::vector<std::string> header_lines;  ///< all leading `#` lines verbatim (kept on rewrite)
    std::vector<Exchange> exchanges;
};

/// Parses golden-file text. Throws std::runtime_error naming the line on bad input
/// (missing `----`, unparsable status line).
File parse_file(const std::string& text);

/// Serialises `file` back to golden-file text (used by --update-golden).
std::string format_file(const File& file);

/// A response as received (header names in any case).
struct Actual {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// Matches `text` against `pattern`, where the pattern may hold `{any}` (any text)
/// and `{kind:id}` (captures on first use, must equal the captured value after).
/// Captures are only added to `captures` when the whole match succeeds.
bool match_text(const std::string& pattern, const std::string& text, Captures& captures);

/// Compares two XML documents canonically: namespace URIs instead of prefixes,
/// whitespace-only text dropped and other text trimmed, attributes (minus xmlns
/// declarations) in name order, DAV:response siblings sorted by DAV:href, DAV:prop
/// children sorted by name. Text and attribute values of `expected` may hold
/// placeholders; an element whose only content is the text `{any}` matches any
/// content. Returns nullopt when equal, else a message showing both canonical forms.
std::optional<std::string> compare_xml(const std::string& expected, const std::string& actual, Captures& captures);

/// The canonical text form of an XML document (one node per line, Clark names);
/// "unparsable XML: ..." when it does not parse.
std::string canonical_xml(const std::string& xml);

/// Compares a response with an expectation: status, each listed header, and the
/// body (XML canonically when the expected body starts with '<', else as text with
/// CRLF normalised and trailing newlines ignored). Returns the list of differences
/// (empty when it matches).
std::vector<std::string> compare_response(const Expected& expected, const Actual& actual, Captures& captures);

/// Builds the expectation that --update-golden writes for `actual`: keeps the
/// parts of `old` that still match (placeholders survive), takes the rest from
/// `actual`. With no old expectation, lists the headers worth pinning (Content-Type,
/// DAV, Allow, Location, WWW-Authenticate, ETag).
Expected update_expectation(const std::optional<Expected>& old, const Actual& actual, Captures& captures);

/// Substitutes `{kind:id}` placeholders in a request with captured values and
/// `Authorization: {alice}`/`{bob}` with Basic credentials; CRLF line endings in the
/// head, Host and Content-Length added when missing. Throws std::runtime_error on
/// a placeholder that was never captured.
std::string build_request(const std::string& request, const Captures& captures,
                          const std::map<std::string, std::string>& credentials);

/// The method of a request text ("GET", "PROPFIND", ...).
std::string request_method(const std::string& request);

}  // namespace test_support::golden

// Account names (users, rooms, resources) and their email addresses as people
// type them: Unicode NFC (UAX #15), nothing invisible, no look-alikes of an
// existing one (UTS #39 confusables), issue 22 §10.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace server {

/// `text` in Unicode Normalization Form C; nullopt when `text` is not UTF-8.
/// ASCII comes back unchanged without calling ICU.
std::optional<std::string> to_nfc(std::string_view text);

/// Why `name` (UTF-8, already NFC) cannot name an account, or empty when it
/// can: 1 to 128 bytes; no '/', ':', control (Cc), format (Cf), unassigned,
/// private-use or default-ignorable (zero-width) characters; no separators
/// (Z*) except single ASCII spaces inside the name.
std::string account_name_problem(std::string_view name);

/// Why `address` (UTF-8, already NFC) cannot be an account's email address,
/// or empty: one '@', no spaces, separators, control, format or invisible
/// characters, none of <>" (it goes into mail headers).
std::string email_address_problem(std::string_view address);

/// True when a reader could take `a` and `b` for each other: their UTS #39
/// skeletons match ignoring case ("alice", "ALICE", "aIice" with a capital
/// I and "аlice" with a Cyrillic а all look alike). Invalid UTF-8 looks
/// like nothing.
bool looks_alike(std::string_view a, std::string_view b);

}  // namespace server

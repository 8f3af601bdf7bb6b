// `kalends feed add|list|revoke`: public feeds of calendars from the command
// line (issue 25 §8; man/kalends.8).
#pragma once
#include <ostream>
#include <string>

#include "src/storage/backend.hpp"

namespace server {

/// Publishes calendar `target` ("OWNER/CALENDAR") at a new secret URL, busy
/// time only with `free_busy`, and prints the feed's id and its path
/// (/feeds/SECRET.ics): the only time the secret is shown. Returns the exit
/// status: 0 done, 1 with a message on `err` (bad target, no such owner or
/// calendar, database busy or full).
int feed_add(Backend& store, const std::string& target, bool free_busy, std::ostream& out, std::ostream& err);

/// Prints the feeds of `target` ("OWNER/CALENDAR"), one a line: id, form
/// (full or free-busy), creation time (unix seconds), tab-separated, by id.
int feed_list(Backend& store, const std::string& target, std::ostream& out, std::ostream& err);

/// Revokes feed `id` of `target`: its URL answers 404 from the next request.
int feed_revoke(Backend& store, const std::string& target, const std::string& id, std::ostream& out,
                std::ostream& err);

}  // namespace server

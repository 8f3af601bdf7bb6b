// The columns of an objects row and how a caldav::ObjectRecord is read from
// them: shared by SqliteStore and the collection cache.
#pragma once
#include <string_view>

#include "caldav/store.hpp"
#include "src/storage/sqlite.hpp"

namespace server::rows {

inline constexpr std::string_view object_columns =
    "id, collection_id, name, uid, component, etag, schedule_tag, size, revision, first_start, "
    "last_end, created_at, modified_at, data, content_type";

/// Fills `o` from `object_columns` starting at column `at`, reusing its
/// strings' storage.
inline void read_object(const sqlite::Stmt& s, caldav::ObjectRecord& o, bool with_data, int at = 0) {
    o.id = s.int64(at + 0);
    o.collection_id = s.int64(at + 1);
    o.name.assign(s.view(at + 2));
    o.uid.assign(s.view(at + 3));
    o.component.assign(s.view(at + 4));
    o.etag.assign(s.view(at + 5));
    o.schedule_tag.assign(s.view(at + 6));
    o.size = s.int64(at + 7);
    o.revision = s.int64(at + 8);
    o.first_start = s.optional_int64(at + 9);
    o.last_end = s.optional_int64(at + 10);
    o.created_at = s.int64(at + 11);
    o.modified_at = s.int64(at + 12);
    if (with_data) o.data.assign(s.view(at + 13));
    else o.data.clear();
    o.content_type.assign(s.view(at + 14));
    o.index_match = false;
}

}  // namespace server::rows

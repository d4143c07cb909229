// Keyset pagination over time-ordered ids, shared by the backends: a page token is a cursor (a
// direction and the id it continues from), never an offset, so a page costs the same at the
// millionth row as at the first.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/store.hpp"

namespace tessera::store {

enum class Direction { forward, backward };

struct PageCursor {
  Direction direction;
  // Which list the token belongs to (e.g. the organization whose clients are listed), so that a
  // token from one list is refused by another.
  std::int64_t list;
  // forward: items with id > bound; backward: items with id < bound. Never negative in a token.
  std::int64_t bound;

  bool operator==(const PageCursor&) const = default;
};

// base64url of a small text form. Opaque to callers; nothing secret in it.
std::string encode_page_token(const PageCursor& cursor);
// nullopt for anything encode_page_token did not produce, or a token of another list.
std::optional<PageCursor> decode_page_token(std::string_view token, std::int64_t list);

std::size_t effective_page_size(std::int64_t requested);

// Lists read newest first (the audit log) page over this key, which grows as ids shrink, so that
// paginate()'s "forward" walks from the newest id to the oldest. Never negative for a valid id.
inline std::int64_t newest_first_key(std::int64_t id) {
  return std::numeric_limits<std::int64_t>::max() - id;
}
// The id bound for paginate()'s `bound` on such a list (the same mapping, both ways), where a
// negative bound ("before the first item") means no bound at all.
inline std::int64_t newest_first_id_bound(std::int64_t bound) {
  return bound < 0 ? std::numeric_limits<std::int64_t>::max() : newest_first_key(bound);
}

// The `list` of an audit listing's page tokens: a token made under one filter is refused under
// another. Never 0 (the organizations list).
std::int64_t audit_list_key(const AuditFilter& filter);

// Builds one page. The backend supplies, inside one read transaction:
//   fetch(direction, bound, limit) -> std::vector<T>: up to `limit` items beyond `bound`, nearest
//       first (ascending ids going forward, descending going backward);
//   any_beyond(direction, bound) -> bool: whether any item lies beyond `bound`;
//   id_of(const T&) -> std::int64_t.
// total_size is left for the caller to fill in.
template <class T, class Fetch, class AnyBeyond, class IdOf>
StoreResult<Page<T>> paginate(const PageRequest& request, std::int64_t list, Fetch&& fetch,
                              AnyBeyond&& any_beyond, IdOf&& id_of) {
  std::optional<PageCursor> cursor;
  if (!request.page_token.empty()) {
    cursor = decode_page_token(request.page_token, list);
    if (!cursor) return fail(StoreError::invalid_page_token);
  }
  const Direction direction = cursor ? cursor->direction : Direction::forward;
  const std::int64_t bound = cursor ? cursor->bound : -1;
  const std::size_t size = effective_page_size(request.page_size);

  Page<T> page;
  page.items = fetch(direction, bound, size + 1);
  const bool more = page.items.size() > size;
  if (more) page.items.pop_back();
  if (direction == Direction::backward) std::reverse(page.items.begin(), page.items.end());

  auto token = [&](Direction d, std::int64_t b) { return encode_page_token({d, list, b}); };
  if (page.items.empty()) {
    // Past the end (rows were deleted since the token was made): offer the way back only.
    if (!cursor) return page;
    // Ids are far below INT64_MAX; a forged bound must still not overflow.
    const std::int64_t up_to_bound =
        bound == std::numeric_limits<std::int64_t>::max() ? bound : bound + 1;
    if (direction == Direction::forward && any_beyond(Direction::backward, up_to_bound)) {
      page.prev_page_token = token(Direction::backward, up_to_bound);
    } else if (direction == Direction::backward && any_beyond(Direction::forward, bound - 1)) {
      page.next_page_token = token(Direction::forward, bound - 1);
    }
    return page;
  }
  const std::int64_t first = id_of(page.items.front());
  const std::int64_t last = id_of(page.items.back());
  const bool has_next =
      direction == Direction::forward ? more : any_beyond(Direction::forward, last);
  const bool has_prev = direction == Direction::backward
                            ? more
                            : cursor.has_value() && any_beyond(Direction::backward, first);
  if (has_next) page.next_page_token = token(Direction::forward, last);
  if (has_prev) page.prev_page_token = token(Direction::backward, first);
  return page;
}

}  // namespace tessera::store

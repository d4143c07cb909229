#include "server/store/paging.hpp"

#include <charconv>

#include "server/domain/validation.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::store {
namespace {

// "1" is the token format version, so that a future format can tell old tokens apart.
constexpr std::string_view kVersion = "1";

char direction_code(Direction direction) {
  return direction == Direction::forward ? 'f' : 'b';
}

std::string plain_text(const PageCursor& cursor) {
  std::string text(kVersion);
  text += '.';
  text += direction_code(cursor.direction);
  text += '.' + std::to_string(cursor.list) + '.' + std::to_string(cursor.bound);
  return text;
}

std::optional<std::int64_t> parse_number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Splits "a.b.c.d" into exactly four fields.
std::optional<std::vector<std::string_view>> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t dot; (dot = text.find('.', start)) != std::string_view::npos; start = dot + 1) {
    fields.push_back(text.substr(start, dot - start));
  }
  fields.push_back(text.substr(start));
  if (fields.size() != 4) return std::nullopt;
  return fields;
}

}  // namespace

std::string encode_page_token(const PageCursor& cursor) {
  return jose::base64url_encode(plain_text(cursor));
}

std::optional<PageCursor> decode_page_token(std::string_view token, std::int64_t list) {
  constexpr std::size_t kMaxTokenLength = 128;
  if (token.size() > kMaxTokenLength) return std::nullopt;
  const auto text = jose::base64url_decode(token);
  if (!text) return std::nullopt;
  const auto fields = split_fields(*text);
  if (!fields || (*fields)[0] != kVersion) return std::nullopt;
  const std::string_view direction = (*fields)[1];
  if (direction != "f" && direction != "b") return std::nullopt;
  const auto token_list = parse_number((*fields)[2]);
  const auto bound = parse_number((*fields)[3]);
  if (!token_list || !bound || *token_list != list || *bound < 0) return std::nullopt;
  const PageCursor cursor{direction == "f" ? Direction::forward : Direction::backward, list,
                          *bound};
  // Only the canonical spelling (no "+1", "007") is a token this code made.
  if (plain_text(cursor) != *text) return std::nullopt;
  return cursor;
}

std::int64_t audit_list_key(const AuditFilter& filter) {
  // FNV-1a over the fields, each marked present or absent, so ("a", absent) differs from
  // (absent, "a").
  std::uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](std::string_view bytes) {
    for (const char c : bytes) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
  };
  for (const auto* field :
       {&filter.organization_id, &filter.actor, &filter.target_id, &filter.action}) {
    mix(field->has_value() ? "+" : "-");
    if (*field) mix(**field);
    mix(std::string_view("\0", 1));
  }
  // 62 bits, plus one: positive, and never the organizations list's 0.
  return static_cast<std::int64_t>(hash >> 2) + 1;
}

std::size_t effective_page_size(std::int64_t requested) {
  if (requested <= 0) return domain::kDefaultPageSize;
  return static_cast<std::size_t>(std::min<std::int64_t>(requested, domain::kMaxPageSize));
}

}  // namespace tessera::store

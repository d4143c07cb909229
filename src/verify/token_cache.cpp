#include "verify/token_cache.hpp"

#include <openssl/crypto.h>

#include <functional>

namespace tessera::verify::detail {

TokenCache::TokenCache(std::size_t entries) : slots_(entries) {}

namespace {

// Constant time in the bytes: the slot index is public (an unkeyed hash), so a caller could aim at
// the slot of another client's token, and an early-exit comparison would time its prefix.
bool same_token(const CachedToken& entry, std::string_view token) {
  return entry.token.size() == token.size() &&
         CRYPTO_memcmp(entry.token.data(), token.data(), token.size()) == 0;
}

}  // namespace

std::size_t TokenCache::slot_of(std::string_view token) const {
  return std::hash<std::string_view>{}(token) % slots_.size();
}

std::shared_ptr<const CachedToken> TokenCache::find(std::string_view token) const {
  const std::size_t slot = slot_of(token);
  std::shared_ptr<const CachedToken> entry;
  {
    std::lock_guard lock(stripe_of(slot));
    entry = slots_[slot];
  }
  if (entry && same_token(*entry, token)) return entry;
  return nullptr;
}

void TokenCache::put(std::shared_ptr<const CachedToken> entry) {
  const std::size_t slot = slot_of(entry->token);
  std::shared_ptr<const CachedToken> replaced;  // freed after the lock is released
  std::lock_guard lock(stripe_of(slot));
  replaced = std::exchange(slots_[slot], std::move(entry));
}

void TokenCache::erase(std::string_view token) {
  const std::size_t slot = slot_of(token);
  std::shared_ptr<const CachedToken> erased;
  std::lock_guard lock(stripe_of(slot));
  if (slots_[slot] && same_token(*slots_[slot], token)) erased = std::move(slots_[slot]);
}

std::size_t TokenCache::size() const {
  std::size_t used = 0;
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    std::lock_guard lock(stripe_of(slot));
    if (slots_[slot]) ++used;
  }
  return used;
}

}  // namespace tessera::verify::detail

// The Verifier's optional cache of verified tokens (VerifierOptions::token_cache_entries).
//
// Keyed by the token's full bytes: a hit means these exact bytes verified before, so nothing an
// attacker controls can match an entry it did not earn with a valid signature (no hash collision to
// find; the slot index is only a hint, the whole token is compared). Only successful verifications
// are stored. Each entry remembers the key set snapshot its signature was checked against, and a
// hit counts only while the key source still returns that very snapshot, and only before the
// token's exp: the caller re-checks both on every hit.
//
// Bounded by construction: a fixed array of slots, each holding at most one token; a new token
// takes over the slot its hash names. Thread-safe: slots are guarded by a striped set of mutexes,
// held only to copy a shared_ptr in or out.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/jose/keys.hpp"
#include "tessera/verify/claims.hpp"

namespace tessera::verify::detail {

struct CachedToken {
  std::string token;
  Claims claims;
  std::shared_ptr<const jose::Jwks> keys;  // the snapshot the signature was checked against
};

class TokenCache {
 public:
  explicit TokenCache(std::size_t entries);

  // The entry for exactly these token bytes, or nullptr.
  std::shared_ptr<const CachedToken> find(std::string_view token) const;
  void put(std::shared_ptr<const CachedToken> entry);
  // Drops the entry of these token bytes, if it is still there.
  void erase(std::string_view token);

  std::size_t capacity() const { return slots_.size(); }
  std::size_t size() const;

 private:
  static constexpr std::size_t kStripes = 64;

  std::size_t slot_of(std::string_view token) const;
  std::mutex& stripe_of(std::size_t slot) const { return stripes_[slot % kStripes]; }

  std::vector<std::shared_ptr<const CachedToken>> slots_;
  mutable std::array<std::mutex, kStripes> stripes_;
};

}  // namespace tessera::verify::detail

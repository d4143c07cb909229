#include "tessera/jose/base64url.hpp"

#include <array>

namespace tessera::jose {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table)
    entry = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = bytes[i] << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  return base64url_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// Decodes four characters at a time into a presized buffer: this runs on every token segment.
bool base64url_decode(std::string_view text, std::string& out) {
  const std::size_t tail = text.size() % 4;
  if (tail == 1) return false;
  const std::size_t whole = text.size() - tail;
  out.resize(whole / 4 * 3 + (tail == 0 ? 0 : tail - 1));
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  for (std::size_t i = 0; i < whole; i += 4, dst += 3) {
    const std::uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                        d = kDecode[in[i + 3]];
    if ((a | b | c | d) & 0xC0) return false;  // kInvalid is the only value with these bits
    const std::uint32_t n = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<unsigned char>(n >> 16);
    dst[1] = static_cast<unsigned char>(n >> 8);
    dst[2] = static_cast<unsigned char>(n);
  }
  if (tail == 0) return true;
  const std::uint32_t a = kDecode[in[whole]], b = kDecode[in[whole + 1]];
  const std::uint32_t c = tail == 3 ? kDecode[in[whole + 2]] : 0;
  if ((a | b | c) & 0xC0) return false;
  dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
  // Leftover bits must be zero, or two spellings would decode to the same bytes.
  if (tail == 2) return (b & 0x0F) == 0;
  dst[1] = static_cast<unsigned char>((b << 4) | (c >> 2));
  return (c & 0x03) == 0;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  if (!base64url_decode(text, out)) return std::nullopt;
  return out;
}

}  // namespace tessera::jose

// LD_PRELOAD shim for tests: shifts the wall clock (CLOCK_REALTIME) of a process by
// IT_CLOCK_OFFSET_SECONDS, so that a real server can issue tokens that are already expired when a
// second, unshifted server on the same data directory checks them. Monotonic clocks are untouched.
#include <dlfcn.h>
#include <time.h>

#include <cstdlib>

namespace {

using ClockGettime = int (*)(clockid_t, timespec*);

long offset_seconds() {
  static const long offset = [] {
    const char* value = std::getenv("IT_CLOCK_OFFSET_SECONDS");
    return value == nullptr ? 0L : std::strtol(value, nullptr, 10);
  }();
  return offset;
}

}  // namespace

extern "C" int clock_gettime(clockid_t clock, timespec* ts) {
  static const auto real = reinterpret_cast<ClockGettime>(dlsym(RTLD_NEXT, "clock_gettime"));
  const int rc = real(clock, ts);
  if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
    ts->tv_sec += offset_seconds();
  }
  return rc;
}

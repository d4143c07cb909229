// LD_PRELOAD shim for tests: shifts the wall clock (CLOCK_REALTIME) of a process by
// IT_CLOCK_OFFSET_SECONDS, so that a real server can issue tokens that are already expired when a
// second, unshifted server on the same data directory checks them. Monotonic clocks are untouched.
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

namespace {

long offset_seconds() {
  static const long offset = [] {
    const char* value = std::getenv("IT_CLOCK_OFFSET_SECONDS");
    return value == nullptr ? 0L : std::strtol(value, nullptr, 10);
  }();
  return offset;
}

}  // namespace

// The system call itself, not dlsym(RTLD_NEXT): dlsym may read the clock (or allocate) while a
// sanitizer runtime initializes, and a function-local static would then deadlock on its own guard.
extern "C" int clock_gettime(clockid_t clock, timespec* ts) {
  const int rc = static_cast<int>(::syscall(SYS_clock_gettime, clock, ts));
  if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
    ts->tv_sec += offset_seconds();
  }
  return rc;
}

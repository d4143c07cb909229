// LD_PRELOAD shim for tests: makes writes fail on demand, as a full disk or a read-only file system
// would. While the file named by IT_FAIL_IO_FLAG exists, every write, pwrite, fsync, fdatasync,
// ftruncate and fallocate on a file under IT_FAIL_IO_DIR fails with the errno the flag file holds
// ("ENOSPC", "EROFS" or "EIO"; ENOSPC when empty). Everything else (logs, sockets, other files)
// is untouched, and removing the flag file brings the space back.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// 0 when `fd` must work, else the errno to fail it with.
int injected_errno(int fd) {
  static const char* const flag = env("IT_FAIL_IO_FLAG");
  static const char* const dir = env("IT_FAIL_IO_DIR");
  if (flag == nullptr || dir == nullptr || fd < 0) return 0;
  // The flag is read with raw open/read, which this shim does not wrap.
  const int flag_fd = ::open(flag, O_RDONLY | O_CLOEXEC);
  if (flag_fd < 0) return 0;
  char kind[16] = {};
  const ssize_t n = ::read(flag_fd, kind, sizeof kind - 1);
  ::close(flag_fd);
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char path[PATH_MAX];
  const ssize_t length = ::readlink(link, path, sizeof path - 1);
  if (length <= 0) return 0;
  path[length] = '\0';
  if (std::strncmp(path, dir, std::strlen(dir)) != 0) return 0;
  if (n > 0 && std::strncmp(kind, "EROFS", 5) == 0) return EROFS;
  if (n > 0 && std::strncmp(kind, "EIO", 3) == 0) return EIO;
  return ENOSPC;
}

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

#define IT_FAIL_OR_CALL(fd, result_type, name, signature, ...)     \
  do {                                                             \
    if (const int error = injected_errno(fd); error != 0) {        \
      errno = error;                                               \
      return static_cast<result_type>(-1);                         \
    }                                                              \
    static const auto next = real<result_type(*) signature>(name); \
    return next(__VA_ARGS__);                                      \
  } while (false)

extern "C" {

ssize_t write(int fd, const void* buffer, size_t count) {
  IT_FAIL_OR_CALL(fd, ssize_t, "write", (int, const void*, size_t), fd, buffer, count);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  IT_FAIL_OR_CALL(fd, ssize_t, "pwrite", (int, const void*, size_t, off_t), fd, buffer, count,
                  offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t count, off64_t offset) {
  IT_FAIL_OR_CALL(fd, ssize_t, "pwrite64", (int, const void*, size_t, off64_t), fd, buffer, count,
                  offset);
}

int fsync(int fd) {
  IT_FAIL_OR_CALL(fd, int, "fsync", (int), fd);
}

int fdatasync(int fd) {
  IT_FAIL_OR_CALL(fd, int, "fdatasync", (int), fd);
}

int ftruncate(int fd, off_t length) {
  IT_FAIL_OR_CALL(fd, int, "ftruncate", (int, off_t), fd, length);
}

int ftruncate64(int fd, off64_t length) {
  IT_FAIL_OR_CALL(fd, int, "ftruncate64", (int, off64_t), fd, length);
}

int fallocate(int fd, int mode, off_t offset, off_t length) {
  IT_FAIL_OR_CALL(fd, int, "fallocate", (int, int, off_t, off_t), fd, mode, offset, length);
}

int posix_fallocate(int fd, off_t offset, off_t length) {
  // posix_fallocate reports its error as the return value, not through errno.
  if (const int error = injected_errno(fd); error != 0) return error;
  static const auto next = real<int (*)(int, off_t, off_t)>("posix_fallocate");
  return next(fd, offset, length);
}

}  // extern "C"

#include "auth/signing_secret.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/ids.h"

namespace cairn::auth {

namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::string> ReadSecret(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(path + " is not a regular file");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    return Status::FailedPrecondition(path + " is readable by other users; run chmod 600 " + path);
  }
  std::string secret;
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable("cannot read " + path);
    if (n == 0) break;
    secret.append(buf, static_cast<size_t>(n));
    if (secret.size() > 4096) return Status::FailedPrecondition(path + " is too large");
  }
  sodium_memzero(buf, sizeof buf);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 32) {
    return Status::FailedPrecondition(path + " holds fewer than 32 bytes");
  }
  return secret;
}

}  // namespace

std::string SecretPathFor(const std::string& database_path) { return database_path + ".secret"; }

Result<std::string> LoadOrCreateSecret(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return ReadSecret(path);

  // Written whole under a temporary name, then link(2)ed into place: link
  // fails if the name exists, so of two processes starting on a fresh
  // database one wins and the other reads the winner's complete file.
  std::string tmp = path + ".tmp-" + RandomHex(4);
  std::string secret = RandomHex(32);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
      return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
    }
    std::string line = secret + "\n";
    bool ok = ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
              ::fsync(fd.get()) == 0;
    sodium_memzero(line.data(), line.size());
    if (!ok) {
      ::unlink(tmp.c_str());
      return Status::Unavailable("cannot write " + path);
    }
  }
  int linked = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    sodium_memzero(secret.data(), secret.size());
    if (link_errno == EEXIST) return ReadSecret(path);
    return Status::Unavailable("cannot create " + path + ": " + std::strerror(link_errno));
  }
  return secret;
}

}  // namespace cairn::auth

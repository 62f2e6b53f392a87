#include "mail/mailer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "store/mail.h"
#include "util/ids.h"

extern char** environ;

namespace cairn::mail {

namespace {

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::Unavailable(std::string("mail command: write: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

std::string FormatMessage(const Message& m, const std::string& from) {
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: " + m.to + "\r\n";
  out += "Subject: " + m.subject + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  for (char c : m.body) {
    if (c == '\n') out += '\r';
    out += c;
  }
  if (out.back() != '\n') out += "\r\n";
  return out;
}

Status SandboxMailbox::Send(const Message& m) {
  store::MailRow row;
  row.id = NewId("mail");
  row.recipient = m.to;
  row.subject = m.subject;
  row.body = m.body;
  row.created_at = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::InsertMail(*lease.value(), row);
}

Status CommandMailer::Send(const Message& m) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Unavailable(std::string("mail command: pipe: ") + std::strerror(errno));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, read_end.get(), STDIN_FILENO);
  const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::Unavailable(std::string("mail command: spawn: ") + std::strerror(rc));
  read_end.Close();

  // SIGPIPE is ignored process-wide, so a command that exits without
  // reading shows up as a write error here, not a dead server.
  Status written = WriteAll(write_end.get(), FormatMessage(m, from_));
  write_end.Close();

  auto deadline = std::chrono::steady_clock::now() + timeout_;
  int wstatus = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      return Status::Unavailable(std::string("mail command: wait: ") + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      return Status::Unavailable("mail command timed out");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::Unavailable("mail command failed with status " +
                               std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));
  }
  return written;
}

std::unique_ptr<Mailer> MakeMailer(const std::string& command, const std::string& from,
                                   store::Database& db, const Clock& clock) {
  if (!command.empty()) return std::make_unique<CommandMailer>(command, from);
  return std::make_unique<SandboxMailbox>(db, clock);
}

}  // namespace cairn::mail

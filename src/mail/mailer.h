#pragma once

// Outgoing mail. Two ways out: a command that takes an RFC 5322 message on
// its standard input (MAIL_COMMAND, e.g. "/usr/sbin/sendmail -t"), or, when
// none is configured, the sandbox mailbox in the database, which admins read
// at GET /api/v1/admin/mail and `cairn mail` prints.

#include <chrono>
#include <memory>
#include <string>

#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::mail {

struct Message {
  std::string to;  // one address, already validated (no CR or LF)
  std::string subject;
  std::string body;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Status Send(const Message& message) = 0;
};

// Keeps each message in the mail table.
class SandboxMailbox : public Mailer {
 public:
  SandboxMailbox(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}
  Status Send(const Message& message) override;

 private:
  store::Database& db_;
  const Clock& clock_;
};

// Runs `/bin/sh -c command` with the message on standard input. Unavailable
// if the command cannot start, exits non-zero or takes longer than timeout
// (it is then killed).
class CommandMailer : public Mailer {
 public:
  CommandMailer(std::string command, std::string from,
                std::chrono::seconds timeout = std::chrono::seconds(30))
      : command_(std::move(command)), from_(std::move(from)), timeout_(timeout) {}
  Status Send(const Message& message) override;

 private:
  const std::string command_;
  const std::string from_;
  const std::chrono::seconds timeout_;
};

// MAIL_COMMAND set: a CommandMailer; otherwise the sandbox mailbox.
std::unique_ptr<Mailer> MakeMailer(const std::string& command, const std::string& from,
                                   store::Database& db, const Clock& clock);

// The message as the command receives it: headers, a blank line, the body
// with CRLF line ends.
std::string FormatMessage(const Message& message, const std::string& from);

}  // namespace cairn::mail

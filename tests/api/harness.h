#pragma once

// The API tests' view of Cairn: the real binary (CAIRN_BIN, default
// build/cairn) started on a free port with a temporary database, spoken to
// over HTTP, and stopped with SIGTERM when the test's scope ends.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <picojson.h>

#include "http/httplib_config.h"

namespace cairn::test {

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string BinaryPath();
int FreePort();
std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the binary with args and extra environment to completion.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {});
// Runs `program args...` (program from PATH, no shell, stdin /dev/null) to
// completion with env added to the environment; the packaging tests run
// dpkg, systemd-analyze, nginx and the packaging scripts this way. A program
// that cannot be started fails the calling test.
CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});
// Runs `node args...` (node from PATH, no shell, stdin /dev/null) to
// completion; the interop checks run tests/interop/*.js this way. Trailing
// newlines of stdout are dropped. A missing node fails the calling test.
CliResult RunNode(const std::vector<std::string>& args);

// `node args...` running in the background for as long as a test needs it
// (the example webhook receiver), with env added to the environment;
// stopped with SIGTERM (then SIGKILL) when the object goes.
class NodeProcess {
 public:
  NodeProcess(const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {});
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Waits until its stdout or stderr holds needle (or timeout, or it
  // exits); returns whether it does.
  bool WaitForOutput(const std::string& needle,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  TempDir io_;
  pid_t pid_ = -1;
};

class ServerProcess {
 public:
  struct Options {
    std::map<std::string, std::string> env;
    std::vector<std::string> extra_args;
    std::string db_path;  // default: <tmp>/cairn.db
    bool wait_ready = true;
  };
  ServerProcess();
  explicit ServerProcess(Options opts);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  const std::string& db_path() const { return db_path_; }
  const TempDir& dir() const { return dir_; }
  httplib::Client Client() const;

  // Sends SIGTERM and waits (up to 15 s); returns the exit status, or -1.
  int Stop();
  // SIGKILL, as a crash or a power cut would stop it: no shutdown at all.
  void Kill();
  bool running() const { return pid_ > 0; }
  // Everything the server wrote to stdout so far (its JSON log lines).
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string db_path_;
};

// A connection to 127.0.0.1:port spoken to byte by byte, for what an HTTP
// client library will not do: send half a request, stay idle, pipeline.
class RawConnection {
 public:
  explicit RawConnection(int port);  // REQUIREs the connection
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of bytes; false when the server closed or reset first.
  bool Send(const std::string& bytes);
  // Reads until the server closes the connection or `timeout_ms` passes
  // without data; everything read.
  std::string ReadUntilClosed(int timeout_ms = 3000);
  // Reads until `needle` has arrived (or as above); everything read.
  std::string ReadUntil(const std::string& needle, int timeout_ms = 3000);
  // One whole response (its head and Content-Length body), or what arrived.
  std::string ReadResponse(int timeout_ms = 3000);
  // Whether the server has closed its side: a read returns end of stream or
  // a reset within timeout_ms. Data that arrives first is kept in *got.
  bool ClosedWithin(int timeout_ms, std::string* got = nullptr);

 private:
  // One read of what is there, waiting at most timeout_ms; 0 at end of
  // stream or reset, -1 on timeout.
  ssize_t ReadSome(int timeout_ms);

  int fd_ = -1;
  std::string pending_;  // read but not yet returned
};

// Writes raw bytes to 127.0.0.1:port and returns everything read until the
// server closes the connection or `timeout_ms` passes without data.
std::string RawExchange(int port, const std::string& bytes, int timeout_ms = 3000);

// Status code of a raw HTTP response ("HTTP/1.1 413 ..."), or -1.
int RawStatus(const std::string& response);
// Body of a raw response (after the blank line).
std::string RawBody(const std::string& response);

// The body as JSON; a failed parse fails the calling test.
picojson::object JsonBody(const std::string& body);
// Path lookup in parsed JSON: Get(o, "error.code").
picojson::value Get(const picojson::object& o, const std::string& dotted);
std::string GetStr(const picojson::object& o, const std::string& dotted);

// `data` of an answer that must have `status`, as an object; REQUIREs both.
picojson::object DataOf(const httplib::Result& res, int status);
// error.code of a refused answer.
std::string ErrorCode(const httplib::Result& res);
// A JSON amount at a dotted path in minor units (1.29 -> 129); REQUIREs a
// number.
int64_t Minor(const picojson::object& o, const std::string& dotted);
// "2026-01-15T10:30:00Z".
bool IsIsoTime(const std::string& s);
// prefix + 16 lowercase hex digits, the shape of every id.
bool IsHexId(const std::string& s, const std::string& prefix);

}  // namespace cairn::test

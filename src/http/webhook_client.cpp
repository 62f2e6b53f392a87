#include "http/webhook_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include "http/httplib_config.h"
#include "util/log.h"

namespace cairn::http {

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

// Why the CA bundle cannot be used now, or "" when it can be read.
std::string CaFileProblem(const std::string& path) {
  if (access(path.c_str(), R_OK) == 0) return "";
  int err = errno;
  return "no CA bundle at " + path + " (" + std::generic_category().message(err) + ")";
}

// httplib writes the Host of an IPv6 literal without brackets on the
// default port ("Host: 2001:db8::1"), which is not a valid Host.
std::string HostHeader(const events::WebhookUrl& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  int default_port = url.scheme == "https" ? 443 : 80;
  return url.port == default_port ? host : host + ":" + std::to_string(url.port);
}

// Why one try's certificate failed: each try has its own SSL_CTX, which
// carries this as its app data.
struct Verification {
  std::string failure;  // OpenSSL's reason for the first failure, or ""
};

int RecordVerifyFailure(int ok, X509_STORE_CTX* store_ctx) {
  if (ok) return ok;
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* v = static_cast<Verification*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (v != nullptr && v->failure.empty()) {
    v->failure = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store_ctx));
  }
  return ok;  // 0: the handshake stops here, with an alert to the receiver
}

// SNI carries host names only (RFC 6066 §3), but httplib sets the client's
// host whatever it is: for an IP literal it is taken out again here, when
// the handshake starts and before the ClientHello is written.
void DropServerName(const SSL* ssl, int where, int) {
  if (where & SSL_CB_HANDSHAKE_START) SSL_set_tlsext_host_name(const_cast<SSL*>(ssl), nullptr);
}

// The first reason OpenSSL queued on this thread, or "". httplib calls
// SSL_shutdown on a handshake that failed, which queues "shutdown while in
// init" after the cause, or alone when the cause queued nothing (a
// timeout): that one is never the reason.
std::string OpenSslReason() {
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_SHUTDOWN_WHILE_IN_INIT) {
      continue;
    }
    if (const char* reason = ERR_reason_error_string(e)) return reason;
  }
  return "";
}

}  // namespace

// The CA bundle, read into one X509_STORE that every try's TLS context
// shares (OpenSSL locks it inside). Reading Debian's 144 certificates took
// 30 ms on the 2-core build machine, more than a handshake: done once.
class HttpWebhookSender::CaBundle {
 public:
  explicit CaBundle(std::string path) : path_(std::move(path)) {}
  ~CaBundle() { X509_STORE_free(store_); }
  CaBundle(const CaBundle&) = delete;
  CaBundle& operator=(const CaBundle&) = delete;

  const std::string& path() const { return path_; }

  // The store, read from the file at the first call that can; nullptr with
  // *error set until then. It never changes once read, and lives as long
  // as this object.
  X509_STORE* Get(std::string* error) {
    // Before any other OpenSSL call, so that OpenSSL never reads a config
    // file: Cairn sets all its TLS parameters in code, and a static binary
    // carries the build machine's OPENSSLDIR, where an openssl.cnf on
    // another system could ask for provider modules a static program
    // cannot load. Here rather than at startup: a server that sends no
    // https webhooks never initialises OpenSSL at all.
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (store_ != nullptr) return store_;
    }
    *error = CaFileProblem(path_);
    if (!error->empty()) return nullptr;
    // Read outside the lock; two first tries at once may both read it.
    X509_STORE* read = X509_STORE_new();
    if (read == nullptr || X509_STORE_load_file(read, path_.c_str()) != 1) {
      X509_STORE_free(read);
      ERR_clear_error();
      *error = "no CA certificates could be read from " + path_;
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (store_ == nullptr) {
      store_ = read;
    } else {
      X509_STORE_free(read);
    }
    return store_;
  }

 private:
  const std::string path_;
  std::mutex mu_;
  X509_STORE* store_ = nullptr;  // guarded by mu_; set once
};

namespace {

// A TLS client for url that verifies with store, or nullptr when OpenSSL
// could not set one up; v receives the reason a certificate fails.
//
// OpenSSL verifies during the handshake (SSL_VERIFY_PEER on the context,
// which each connection inherits): the chain against store, and the URL's
// host through the verify parameters, so a bad certificate ends the
// handshake with an alert before anything is sent. httplib's own check is
// turned off: it would load a CA file or the system's default paths into
// every try's context, and its name matching falls back to the subject CN
// when no alt name matches and accepts partial wildcards (f*.example.com),
// where OpenSSL follows RFC 6125. Both the check and SNI use the client's
// host, which is the URL's; the address map only decides where to connect.
std::unique_ptr<httplib::SSLClient> TlsClient(const events::WebhookUrl& url, X509_STORE* store,
                                              Verification* v) {
  auto client = std::make_unique<httplib::SSLClient>(url.host, url.port);
  SSL_CTX* ctx = client->ssl_context();
  if (ctx == nullptr) return nullptr;
  SSL_CTX_set1_cert_store(ctx, store);  // shared: takes a reference
  client->enable_server_certificate_verification(false);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, RecordVerifyFailure);
  SSL_CTX_set_app_data(ctx, v);
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  int ok;
  if (url.host_is_literal) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    SSL_CTX_set_info_callback(ctx, DropServerName);
  } else {
    // Names come from the alt names only: browsers and Go ignore the CN too.
    X509_VERIFY_PARAM_set_hostflags(
        param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    ok = X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
  }
  // The connection closes once a whole, framed answer is in, so a
  // close_notify exchange protects nothing; httplib's orderly shutdown would
  // sleep 100 ms and then wait up to 1 s for the receiver's, on every try.
  SSL_CTX_set_quiet_shutdown(ctx, 1);
  return ok == 1 ? std::move(client) : nullptr;
}

// The client for one try, connecting to r.address only: over TLS,
// verifying with store, when store is given. nullptr when OpenSSL could not
// set up TLS.
std::unique_ptr<httplib::ClientImpl> ClientFor(const events::OutgoingRequest& r, X509_STORE* store,
                                               Verification* v) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (store != nullptr) {
    client = TlsClient(r.url, store, v);
    if (client == nullptr) return nullptr;
  } else {
    client = std::make_unique<httplib::ClientImpl>(r.url.host, r.url.port);
  }
  // Connect to the address that was checked, under the URL's host name.
  client->set_hostname_addr_map({{r.url.host, r.address.ToString()}});
  client->set_follow_location(false);
  client->set_keep_alive(false);
  client->set_connection_timeout(
      std::chrono::duration_cast<std::chrono::microseconds>(r.connect_timeout));
  client->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(r.total_timeout));
  client->set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(r.total_timeout));
  return client;
}

// Why a try that was not cut off got no answer, after elapsed.
std::string Describe(httplib::Error error, const events::OutgoingRequest& r, const Verification& v,
                     std::chrono::steady_clock::duration elapsed) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection failed";
    case httplib::Error::ConnectionTimeout:
      return "connect timed out after " + std::to_string(r.connect_timeout.count()) + " ms";
    case httplib::Error::SSLConnection: {
      if (!v.failure.empty()) return "certificate verification failed: " + v.failure;
      std::string reason = OpenSslReason();
      if (!reason.empty()) return "TLS handshake failed: " + reason;
      // Nothing queued: one of the handshake's waits, each bounded by the
      // connect timeout, ran out, or the receiver reset the connection.
      if (elapsed < r.connect_timeout) return "TLS handshake failed";
      return "TLS handshake timed out after " + std::to_string(r.connect_timeout.count()) + " ms";
    }
    default:
      return httplib::to_string(error);
  }
}

}  // namespace

HttpWebhookSender::HttpWebhookSender(std::string ca_file)
    : ca_(std::make_unique<CaBundle>(std::move(ca_file))), watchdog_([this] { Watch(); }) {
  // Self-hosters on minimal images may lack ca-certificates: http webhooks
  // still work, so start, and say once why https ones will not.
  if (std::string problem = CaFileProblem(ca_->path()); !problem.empty()) {
    log::Line(log::Level::kWarn, "webhook_ca_file_unreadable")
        .Str("path", ca_->path())
        .Str("error", problem + "; https webhook deliveries fail until it can be read")
        .Emit();
  }
}

HttpWebhookSender::~HttpWebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

void HttpWebhookSender::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    for (auto& [ticket, a] : active_) {
      if (a.cut) continue;
      if (a.deadline <= now) {
        a.cut = true;
        // The sender's reads and writes fail at once, in the TLS handshake too.
        if (a.fd >= 0) shutdown(a.fd, SHUT_RDWR);
      } else if (a.deadline < next) {
        next = a.deadline;
      }
    }
    wake_.wait_until(lock, next);
  }
}

void HttpWebhookSender::Track(uint64_t ticket, int sock) {
  int fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);  // -1 (out of descriptors): cannot be cut off
  std::lock_guard<std::mutex> lock(mu_);
  Active& a = active_[ticket];
  if (a.fd >= 0) close(a.fd);
  a.fd = fd;
  if (a.cut && fd >= 0) shutdown(fd, SHUT_RDWR);
}

events::SendOutcome HttpWebhookSender::Send(const events::OutgoingRequest& r) {
  events::SendOutcome out;
  bool tls = r.url.scheme == "https";
  X509_STORE* store = nullptr;
  // Checked first, so a try that cannot verify never connects.
  if (tls && (store = ca_->Get(&out.error)) == nullptr) return out;
  Verification verification;  // outlives the client, whose TLS context points here
  std::unique_ptr<httplib::ClientImpl> client = ClientFor(r, store, &verification);
  if (client == nullptr) {
    out.error = "TLS setup failed";
    return out;
  }

  httplib::Request req;
  req.method = "POST";
  req.path = r.url.target;
  for (const auto& [name, value] : r.headers) req.headers.emplace(name, value);
  req.headers.emplace("Host", HostHeader(r.url));
  req.headers.emplace("Content-Type", "application/json");
  req.body = r.body;
  size_t received = 0;
  bool too_long = false;
  req.content_receiver = [&received, &too_long](const char*, size_t n, uint64_t, uint64_t) {
    received += n;
    too_long = received > kMaxAnswerBytes;
    return !too_long;
  };

  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = next_ticket_++;
    active_[ticket] = {std::chrono::steady_clock::now() + r.total_timeout};
  }
  wake_.notify_all();
  client->set_socket_options([this, ticket](socket_t sock) { Track(ticket, sock); });
  if (tls) ERR_clear_error();  // this thread's queue: only this try's reasons count
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  auto started = std::chrono::steady_clock::now();
  bool ok = client->send(req, res, error);
  auto elapsed = std::chrono::steady_clock::now() - started;
  bool timed_out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Active& a = active_[ticket];
    timed_out = a.cut;
    if (a.fd >= 0) close(a.fd);
    active_.erase(ticket);
  }

  // An answer whose status line and headers arrived counts, even when its
  // body was cut off: the receiver has spoken.
  if (ok || (too_long && res.status > 0)) {
    out.status = res.status;
  } else if (timed_out) {
    out.error = "timed out after " + std::to_string(r.total_timeout.count()) + " ms";
  } else {
    out.error = Describe(error, r, verification, elapsed);
  }
  if (tls) ERR_clear_error();
  return out;
}

}  // namespace cairn::http

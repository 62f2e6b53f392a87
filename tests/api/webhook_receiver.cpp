#include "webhook_receiver.h"

#include <sodium.h>

#include <doctest/doctest.h>

namespace cairn::test {

namespace {

std::string Mac(const std::string& key, const std::string& data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

}  // namespace

std::string WebhookReceiver::Received::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

WebhookReceiver::WebhookReceiver()
    : server_(std::make_unique<httplib::Server>()), tls_(false), address_("127.0.0.1") {
  Start();
}

WebhookReceiver::WebhookReceiver(const TlsIdentity& identity, const std::string& address)
    : server_(std::make_unique<httplib::SSLServer>(identity.cert.get(), identity.key.get())),
      tls_(true),
      address_(address) {
  auto* tls = static_cast<httplib::SSLServer*>(server_.get());
  REQUIRE(tls->is_valid());
  SSL_CTX_set_tlsext_servername_callback(tls->ssl_context(), OnServerName);
  SSL_CTX_set_tlsext_servername_arg(tls->ssl_context(), this);
  Start();
}

// OpenSSL calls it in every handshake, with or without a server name.
int WebhookReceiver::OnServerName(SSL* ssl, int*, void* self) {
  auto* r = static_cast<WebhookReceiver*>(self);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  std::lock_guard<std::mutex> lock(r->mu_);
  r->server_names_.push_back(name != nullptr ? name : "");
  return SSL_TLSEXT_ERR_OK;
}

void WebhookReceiver::Start() {
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    std::chrono::milliseconds delay;
    int status;
    bool redirect;
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back({req.path, req.headers, req.body, std::chrono::steady_clock::now()});
      status = statuses_[std::min(answered_++, statuses_.size() - 1)];
      delay = delay_;
      redirect = redirect_ && req.path != "/elsewhere";
    }
    arrived_.notify_all();
    auto until = std::chrono::steady_clock::now() + delay;
    std::unique_lock<std::mutex> lock(mu_);
    arrived_.wait_until(lock, until, [this] { return stopping_; });
    if (redirect) {
      res.status = 302;
      res.set_header("Location", Url("/elsewhere"));
      return;
    }
    res.status = status;
    res.set_content("{}", "application/json");
  };
  server_->Post(".*", handle);
  port_ = server_->bind_to_any_port(address_);
  REQUIRE(port_ > 0);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  server_->wait_until_ready();
}

WebhookReceiver::~WebhookReceiver() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  arrived_.notify_all();
  server_->stop();
  thread_.join();
}

std::string WebhookReceiver::Url(const std::string& path) const {
  return UrlAt(address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_, path);
}

std::string WebhookReceiver::UrlAt(const std::string& host, const std::string& path) const {
  return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_) + path;
}

void WebhookReceiver::AnswerWith(std::vector<int> statuses) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses_ = std::move(statuses);
  answered_ = 0;
}

void WebhookReceiver::Delay(std::chrono::milliseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_ = d;
}

void WebhookReceiver::Redirect() {
  std::lock_guard<std::mutex> lock(mu_);
  redirect_ = true;
}

std::vector<WebhookReceiver::Received> WebhookReceiver::WaitFor(size_t n,
                                                                std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  arrived_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  return received_;
}

std::vector<WebhookReceiver::Received> WebhookReceiver::All() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

std::vector<std::string> WebhookReceiver::ServerNames() {
  std::lock_guard<std::mutex> lock(mu_);
  return server_names_;
}

httplib::Headers SignedHeaders(const std::string& secret, const std::string& id, long long ts,
                               const std::string& body) {
  std::string t = std::to_string(ts);
  std::string mac = Mac(secret, t + "." + body);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, reinterpret_cast<const unsigned char*>(mac.data()), mac.size());

  // Standard Webhooks: the key is the base64 after "whsec_".
  std::string b64 = secret.substr(6);
  std::string key(b64.size(), '\0');
  size_t len = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), b64.data(),
                            b64.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
  key.resize(len);
  std::string std_mac = Mac(key, id + "." + t + "." + body);
  std::string b64mac(sodium_base64_ENCODED_LEN(std_mac.size(), sodium_base64_VARIANT_ORIGINAL),
                     '\0');
  sodium_bin2base64(b64mac.data(), b64mac.size(),
                    reinterpret_cast<const unsigned char*>(std_mac.data()), std_mac.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64mac.pop_back();
  return {{"X-Webhook-Id", id},   {"X-Webhook-Timestamp", t}, {"X-Webhook-Signature", hex},
          {"webhook-id", id},     {"webhook-timestamp", t},   {"webhook-signature", "v1," + b64mac}};
}

bool SignedBy(const WebhookReceiver::Received& r, const std::string& secret) {
  std::string ts = r.Header("X-Webhook-Timestamp");
  if (ts.empty() || ts.find_first_not_of("0123456789") != std::string::npos) return false;
  httplib::Headers want = SignedHeaders(secret, r.Header("X-Webhook-Id"), std::stoll(ts), r.body);
  for (const auto& [name, value] : want) {
    if (r.Header(name) != value) return false;
  }
  return true;
}

}  // namespace cairn::test

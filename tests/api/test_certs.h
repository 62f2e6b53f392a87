#pragma once

// Throwaway certificates for the https webhook receivers of the API tests,
// made in memory with OpenSSL while a test runs, so no private key is ever
// kept in the repository: a test CA, leaf certificates it signs, and
// self-signed ones nothing vouches for. Keys are P-256; certificates are
// valid from an hour ago for a day.
//
// Each function fails the calling test (REQUIRE) when OpenSSL cannot make
// what was asked.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace cairn::test {

// A certificate and its private key.
struct TlsIdentity {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
};

// A certificate authority for one test.
class TestCa {
 public:
  TestCa();

  // The CA's certificate as PEM: a bundle for WEBHOOK_CA_FILE.
  std::string Pem() const;
  // A server certificate signed by this CA for subject_alt_names, in
  // OpenSSL's syntax ("DNS:localhost", "IP:127.0.0.1,IP:::1").
  TlsIdentity Issue(const std::string& subject_alt_names) const;

 private:
  TlsIdentity ca_;
};

// A self-signed server certificate for subject_alt_names.
TlsIdentity SelfSigned(const std::string& subject_alt_names);

}  // namespace cairn::test

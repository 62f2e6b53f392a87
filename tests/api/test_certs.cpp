#include "test_certs.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <doctest/doctest.h>

#include <cstdint>

namespace cairn::test {

namespace {

std::shared_ptr<EVP_PKEY> NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  return {key, EVP_PKEY_free};
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  REQUIRE(ext != nullptr);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

// A certificate for common_name; signed by issuer, or by itself when
// issuer is null. ca: may sign others; else a TLS server certificate for
// subject_alt_names.
TlsIdentity Make(const std::string& common_name, const TlsIdentity* issuer, bool ca,
                 const std::string& subject_alt_names) {
  std::shared_ptr<EVP_PKEY> key = NewKey();
  std::shared_ptr<X509> cert(X509_new(), X509_free);
  REQUIRE(cert != nullptr);
  X509* x = cert.get();
  REQUIRE(X509_set_version(x, 2) == 1);  // v3
  // A random serial: a verifier may remember (issuer, serial) pairs.
  uint32_t serial;
  REQUIRE(RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(x), serial >> 1) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr);
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600) != nullptr);
  REQUIRE(X509_set_pubkey(x, key.get()) == 1);
  X509_NAME* name = X509_get_subject_name(x);
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0) == 1);
  X509* signer = issuer != nullptr ? issuer->cert.get() : x;
  REQUIRE(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1);
  if (ca) {
    AddExtension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    // Without keyCertSign OpenSSL would not count a self-signed certificate
    // as its own issuer, and would say "unable to get local issuer
    // certificate" rather than what it is.
    if (issuer != nullptr) AddExtension(x, signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(x, signer, NID_ext_key_usage, "serverAuth");
    AddExtension(x, signer, NID_subject_alt_name, subject_alt_names);
  }
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : key.get();
  REQUIRE(X509_sign(x, signing_key, EVP_sha256()) > 0);
  return {cert, key};
}

}  // namespace

TestCa::TestCa() : ca_(Make("Cairn test CA", nullptr, true, "")) {}

std::string TestCa::Pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  REQUIRE(bio != nullptr);
  REQUIRE(PEM_write_bio_X509(bio.get(), ca_.cert.get()) == 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

TlsIdentity TestCa::Issue(const std::string& subject_alt_names) const {
  return Make("Cairn test receiver", &ca_, false, subject_alt_names);
}

TlsIdentity SelfSigned(const std::string& subject_alt_names) {
  return Make("Cairn test receiver", nullptr, false, subject_alt_names);
}

}  // namespace cairn::test

#include "util/base64url.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cairn {
namespace {

TEST_CASE("the RFC 4648 test vectors encode without padding and decode back") {
  struct Row {
    const char* plain;
    const char* encoded;
  };
  for (const Row& r : {Row{"", ""}, Row{"f", "Zg"}, Row{"fo", "Zm8"}, Row{"foo", "Zm9v"},
                       Row{"foob", "Zm9vYg"}, Row{"fooba", "Zm9vYmE"},
                       Row{"foobar", "Zm9vYmFy"}}) {
    CAPTURE(r.plain);
    CHECK(Base64UrlEncode(r.plain) == r.encoded);
    std::string back;
    REQUIRE(Base64UrlDecode(r.encoded, &back));
    CHECK(back == r.plain);
  }
}

TEST_CASE("the URL-safe alphabet uses - and _ where base64 has + and /") {
  std::string bytes = "\xfb\xff\xbf";
  CHECK(Base64UrlEncode(bytes) == "-_-_");
  std::string back;
  REQUIRE(Base64UrlDecode("-_-_", &back));
  CHECK(back == bytes);
}

TEST_CASE("every byte string of up to 64 bytes survives a round trip") {
  std::string bytes;
  for (int n = 0; n <= 64; ++n) {
    std::string back;
    REQUIRE(Base64UrlDecode(Base64UrlEncode(bytes), &back));
    CHECK(back == bytes);
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
}

TEST_CASE("padding, other alphabets, stray characters and non-canonical endings are refused") {
  const std::vector<std::string> bad = {
      "Zg==", "Zm8=", "Z",      "Zm9vY",  // padding; a length of 1 mod 4
      "Zh",   "Zm9",                      // low bits of the last character not zero
      "+/8",  "ab/c", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v.", "\xc3\xa9",
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    std::string out;
    CHECK_FALSE(Base64UrlDecode(text, &out));
  }
}

}  // namespace
}  // namespace cairn

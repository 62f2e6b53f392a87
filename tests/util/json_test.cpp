#include "util/json.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cairn::json {
namespace {

// {"a":{"a":…{}…}}: depth objects, one inside the other.
std::string NestedObject(int depth) {
  std::string s;
  for (int i = 1; i < depth; ++i) s += "{\"a\":";
  s += "{}";
  s += std::string(depth - 1, '}');
  return s;
}

// An object holding depth - 1 nested arrays: {"a":[[…]]}.
std::string ObjectOfArrays(int depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

picojson::value Parse(const std::string& text) {
  picojson::value v;
  std::string err = picojson::parse(v, text);
  INFO("text: " << text);
  REQUIRE(err.empty());
  return v;
}

TEST_CASE("nesting depth counts arrays and objects and ignores everything inside strings") {
  struct Row {
    std::string text;
    int depth;
  };
  const std::vector<Row> rows = {
      {"", 0},
      {"42", 0},
      {"\"[[[{{{\"", 0},
      {"{}", 1},
      {"[]", 1},
      {"[[]]", 2},
      {"[[],[[]],{}]", 3},
      {"{\"a\":\"[[[[{{{{\"}", 1},
      {R"({"a":"\"[[[["})", 1},        // an escaped quote does not end the string
      {R"({"a":"\\","b":[[1]]})", 3},  // an escaped backslash does
      {R"({"a":"\\\"[","b":[]})", 2},
      {R"({"k[":"v]","l":{"m":"}}}}"}})", 2},
      {"]]]][", 1},  // imbalance is picojson's to report
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    CHECK(NestingDepth(r.text) == r.depth);
  }
}

TEST_CASE("nesting depth stops counting as soon as the limit is passed") {
  const std::string deep(200000, '[');
  CHECK(NestingDepth(deep, 32) == 33);
  CHECK(NestingDepth(deep, 5) == 6);
  CHECK(NestingDepth("[[[]]]", 3) == 3);
}

TEST_CASE("an object nested 32 levels deep is parsed") {
  CHECK(NestingDepth(NestedObject(32)) == 32);
  CHECK(ParseObject(NestedObject(32)).ok());
  CHECK(ParseObject(ObjectOfArrays(32)).ok());
}

TEST_CASE("a body nested 33 levels deep is refused") {
  for (const std::string& text : {NestedObject(33), ObjectOfArrays(33)}) {
    auto r = ParseObject(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find("32") != std::string::npos);
  }
}

TEST_CASE("200000 opening brackets are refused without recursing") {
  const std::string opens(200000, '[');
  CHECK(ParseObject(opens).status().code() == Code::kInvalidArgument);
  CHECK(ParseObject("{\"a\":" + opens).status().code() == Code::kInvalidArgument);
  const std::string balanced = std::string(200000, '[') + std::string(200000, ']');
  CHECK(ParseObject(balanced).status().code() == Code::kInvalidArgument);
  const std::string objects = NestedObject(100000);
  CHECK(ParseObject(objects).status().code() == Code::kInvalidArgument);
}

TEST_CASE("brackets inside a string do not count towards the depth limit") {
  const std::string brackets(1000, '[');
  auto r = ParseObject("{\"a\":\"" + brackets + "\"}");
  REQUIRE(r.ok());
  CHECK(r->at("a").get<std::string>() == brackets);
}

TEST_CASE("malformed JSON, trailing garbage and non-object top levels are refused") {
  const std::vector<std::string> bad = {
      "",
      " ",
      "{",
      "}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{'a':1}",
      "{a:1}",
      "{\"a\" 1}",
      "{\"a\":NaN}",
      "{\"a\":\"unterminated}",
      "{}x",
      "{} {}",
      "{\"a\":1}garbage",
      "{}\n,",
      std::string("{}\0", 3),
      "[]",
      "[{}]",
      "1",
      "-1.5",
      "\"string\"",
      "null",
      "true",
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    auto r = ParseObject(text);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("objects with surrounding whitespace, empty objects and nested values are parsed") {
  struct Row {
    std::string text;
    size_t keys;
  };
  const std::vector<Row> good = {
      {"{}", 0},
      {" {} ", 0},
      {"\r\n\t{ }\r\n\t", 0},
      {"{\"a\":1}", 1},
      {"{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}", 2},
      {"{\"\":\"\"}", 1},
      {"{\"u\":\"\\u00e9\\ud83d\\ude00\"}", 1},
  };
  for (const Row& r : good) {
    CAPTURE(r.text);
    auto obj = ParseObject(r.text);
    REQUIRE(obj.ok());
    CHECK(obj->size() == r.keys);
  }
}

TEST_CASE("integers in a parsed body keep all 64 bits") {
  auto r = ParseObject(R"({"max":9223372036854775807,"min":-9223372036854775808})");
  REQUIRE(r.ok());
  REQUIRE(r->at("max").is<int64_t>());
  CHECK(r->at("max").get<int64_t>() == std::numeric_limits<int64_t>::max());
  CHECK(r->at("min").get<int64_t>() == std::numeric_limits<int64_t>::min());
}

TEST_CASE("quoting escapes quotes, backslashes and control characters") {
  struct Row {
    std::string in;
    std::string out;
  };
  const std::vector<Row> rows = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"a\"b", R"("a\"b")"},
      {"a\\b", R"("a\\b")"},
      {"line\nbreak\r\ttab", R"("line\nbreak\r\ttab")"},
      {"\x01", R"("\u0001")"},
      {"\x1f", R"("\u001f")"},
      {"\x7f", R"("\u007f")"},
      {std::string("nul\0byte", 8), R"("nul\u0000byte")"},
      {"\b\f", R"("\u0008\u000c")"},
      {"a/b", R"("a/b")"},
      {"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80",
       "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\""},
      {"</script>", R"("</script>")"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.in);
    CHECK(Quote(r.in) == r.out);
  }
}

TEST_CASE("every ASCII character survives quoting and parsing back") {
  for (int c = 0; c < 0x80; ++c) {
    CAPTURE(c);
    std::string s = "x" + std::string(1, static_cast<char>(c)) + "y";
    picojson::value v = Parse(Quote(s));
    REQUIRE(v.is<std::string>());
    CHECK(v.get<std::string>() == s);
  }
}

TEST_CASE("AppendString appends to what is already there") {
  std::string out = "{\"k\":";
  AppendString(out, "v\"");
  CHECK(out == R"({"k":"v\"")");
}

TEST_CASE("Serialize writes compact JSON without escaping slashes") {
  CHECK(Serialize(picojson::value("https://example.com/a/b")) == R"("https://example.com/a/b")");
  CHECK(Serialize(picojson::value()) == "null");
  CHECK(Serialize(picojson::value(true)) == "true");
  CHECK(Serialize(picojson::value(false)) == "false");
  CHECK(Serialize(picojson::value(picojson::array())) == "[]");
  CHECK(Serialize(picojson::value(picojson::object())) == "{}");
  CHECK(Serialize(picojson::value("q\"\\\n\x01")) == R"("q\"\\\n\u0001")");
}

TEST_CASE("Serialize writes 64-bit integers exactly") {
  for (int64_t n : {int64_t{0}, int64_t{-1}, int64_t{9007199254740993},
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    CAPTURE(n);
    CHECK(Serialize(picojson::value(n)) == std::to_string(n));
  }
}

TEST_CASE("Serialize writes doubles that read back as the same number") {
  CHECK(Serialize(picojson::value(1.5)) == "1.5");
  CHECK(Serialize(picojson::value(2.0)) == "2");
  for (double d : {0.1, -3.25, 1e-9, 123456.789, 1.7976931348623157e308}) {
    CAPTURE(d);
    picojson::value back = Parse(Serialize(picojson::value(d)));
    REQUIRE(back.is<double>());
    CHECK(back.get<double>() == d);
  }
}

TEST_CASE("Serialize writes nested arrays and objects with keys in order") {
  picojson::value v = Parse(R"({"s":"x\"y/z","b":[1,{"c":null,"d":[]}],"a":true})");
  CHECK(Serialize(v) == R"({"a":true,"b":[1,{"c":null,"d":[]}],"s":"x\"y/z"})");
  CHECK(Parse(Serialize(v)) == v);
}

}  // namespace
}  // namespace cairn::json

namespace cairn::json {
namespace {

TEST_CASE("a number beyond a double's range is a bad request, not an exception") {
  for (const char* text : {"{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":[1,2,1e999]}"}) {
    CAPTURE(text);
    Result<picojson::object> r = ParseObject(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("bodies that are not well-formed UTF-8 are refused") {
  const std::vector<std::string> bad = {
      "{\"a\":\"\xff\"}",              // never valid
      "{\"a\":\"\xc3\"}",              // truncated two-byte sequence
      "{\"a\":\"\xc0\xaf\"}",          // overlong '/'
      "{\"a\":\"\xed\xa0\x80\"}",      // UTF-16 surrogate
      "{\"a\":\"\xf4\x90\x80\x80\"}",  // past U+10FFFF
      "{\"a\":\"\xe2\x82\"}",          // truncated three-byte sequence
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    CHECK_FALSE(IsValidUtf8(text));
    CHECK(ParseObject(text).status().code() == Code::kInvalidArgument);
  }
  const std::vector<std::string> good = {"{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"\xe2\x82\xac\"}",
                                         "{\"a\":\"\xf0\x9f\x98\x80\"}", "{}"};
  for (const std::string& text : good) {
    CAPTURE(text);
    CHECK(IsValidUtf8(text));
    CHECK(ParseObject(text).ok());
  }
}

}  // namespace
}  // namespace cairn::json

#include "util/json.h"

#include <charconv>

namespace cairn::json {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          max_depth = depth;
          if (max_depth > limit) return max_depth;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;  // imbalance is picojson's to report
        break;
      default:
        break;
    }
  }
  return max_depth;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    i += n + 1;
  }
  return true;
}

Result<picojson::object> ParseObject(std::string_view text) {
  if (NestingDepth(text) > kMaxJsonDepth) {
    return Status::InvalidArgument("JSON nesting is deeper than 32 levels");
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument("The JSON body is not valid UTF-8");
  picojson::value v;
  std::string err;
  const char* end = nullptr;
  try {
    end = picojson::parse(v, text.data(), text.data() + text.size(), &err);
  } catch (const std::exception&) {
    // picojson throws for numbers beyond a double's range, such as 1e400.
    return Status::InvalidArgument("Malformed JSON body: a number is out of range");
  }
  if (!err.empty()) return Status::InvalidArgument("Malformed JSON body");
  for (const char* p = end; p != text.data() + text.size(); ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
      return Status::InvalidArgument("Malformed JSON body");
    }
  }
  if (!v.is<picojson::object>()) {
    return Status::InvalidArgument("The JSON body must be an object");
  }
  return std::move(v.get<picojson::object>());
}

void AppendString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendString(out, s);
  return out;
}

namespace {

void AppendValue(std::string& out, const picojson::value& v) {
  if (v.is<picojson::null>()) {
    out += "null";
  } else if (v.is<bool>()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (v.is<int64_t>()) {
    out += std::to_string(v.get<int64_t>());
  } else if (v.is<double>()) {
    // The shortest text that reads back as the same double: 1.1, not
    // picojson's 1.1000000000000001 (money is written this way: 1.29).
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get<double>());
    out.append(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
  } else if (v.is<std::string>()) {
    AppendString(out, v.get<std::string>());
  } else if (v.is<picojson::array>()) {
    out.push_back('[');
    bool first = true;
    for (const picojson::value& e : v.get<picojson::array>()) {
      if (!first) out.push_back(',');
      first = false;
      AppendValue(out, e);
    }
    out.push_back(']');
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, e] : v.get<picojson::object>()) {
      if (!first) out.push_back(',');
      first = false;
      AppendString(out, k);
      out.push_back(':');
      AppendValue(out, e);
    }
    out.push_back('}');
  }
}

}  // namespace

void Append(std::string& out, const picojson::value& v) { AppendValue(out, v); }

std::string Serialize(const picojson::value& v) {
  std::string out;
  AppendValue(out, v);
  return out;
}

}  // namespace cairn::json

#include "util/prometheus.h"

#include <cmath>
#include <cstdio>

namespace cairn::prometheus {

namespace {

// HELP text escapes backslash and newline; label values also the quote.
void Escape(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

void Exposition::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_.push_back(' ');
  Escape(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_.push_back(' ');
  out_ += type;
  out_.push_back('\n');
}

void Exposition::Start(std::string_view name, Labels labels) {
  out_ += name;
  if (labels.size() == 0) return;
  out_.push_back('{');
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out_.push_back(',');
    first = false;
    out_ += key;
    out_ += "=\"";
    Escape(out_, value, true);
    out_.push_back('"');
  }
  out_.push_back('}');
}

void Exposition::SampleText(std::string_view name, Labels labels, std::string_view value) {
  Start(name, labels);
  out_.push_back(' ');
  out_ += value;
  out_.push_back('\n');
}

void Exposition::Sample(std::string_view name, Labels labels, uint64_t value) {
  SampleText(name, labels, std::to_string(value));
}

void Exposition::Sample(std::string_view name, Labels labels, int64_t value) {
  SampleText(name, labels, std::to_string(value));
}

void Exposition::Sample(std::string_view name, Labels labels, double value) {
  if (std::isnan(value)) return SampleText(name, labels, "NaN");
  if (std::isinf(value)) return SampleText(name, labels, value > 0 ? "+Inf" : "-Inf");
  char num[32];
  std::snprintf(num, sizeof num, "%.9g", value);
  SampleText(name, labels, num);
}

}  // namespace cairn::prometheus

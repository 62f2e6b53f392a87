// Fuzz target: a request body through json::ParseObject (the parser every
// JSON body goes through, pipeline step 10) and what handlers read from it
// (http::FieldReader, payments::ParseAmount).
//
// Beyond not crashing, for every body it checks:
//  - the limits: an accepted body is valid UTF-8 and its tree nests at most
//    kMaxJsonDepth deep; a string list never yields more than its max_items;
//  - parse → Serialize → parse gives the same value (numbers compared by
//    value: 1.0 comes back as the integer 1), and serialising that again
//    gives the same text, so what Cairn writes it reads back unchanged;
//  - an amount that parses is within ±kMaxMinor and survives the trip out
//    and back in: AmountToJson, Serialize, parse, ParseAmount.

#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/fields.h"
#include "payments/money.h"
#include "util/json.h"

namespace cairn {
namespace {

int Depth(const picojson::value& v) {
  int deepest = 0;
  if (v.is<picojson::array>()) {
    for (const picojson::value& e : v.get<picojson::array>()) deepest = std::max(deepest, Depth(e));
    return deepest + 1;
  }
  if (v.is<picojson::object>()) {
    for (const auto& [k, e] : v.get<picojson::object>()) deepest = std::max(deepest, Depth(e));
    return deepest + 1;
  }
  return 0;
}

bool IsNumber(const picojson::value& v) { return v.is<int64_t>() || v.is<double>(); }

// picojson's get<double>() turns an int64 value into a double in place, so
// int64 is always asked first.
long double NumberOf(const picojson::value& v) {
  if (v.is<int64_t>()) return static_cast<long double>(v.get<int64_t>());
  return v.get<double>();
}

bool Same(const picojson::value& a, const picojson::value& b) {
  if (IsNumber(a) || IsNumber(b)) return IsNumber(a) && IsNumber(b) && NumberOf(a) == NumberOf(b);
  if (a.is<picojson::array>()) {
    if (!b.is<picojson::array>()) return false;
    const picojson::array& x = a.get<picojson::array>();
    const picojson::array& y = b.get<picojson::array>();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!Same(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is<picojson::object>()) {
    if (!b.is<picojson::object>()) return false;
    const picojson::object& x = a.get<picojson::object>();
    const picojson::object& y = b.get<picojson::object>();
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
      if (i->first != j->first || !Same(i->second, j->second)) return false;
    }
    return true;
  }
  return a == b;  // null, bool, string: same type and value
}

// Every number in v, at any depth, as an amount.
void CheckAmounts(const picojson::value& v) {
  if (v.is<picojson::array>()) {
    for (const picojson::value& e : v.get<picojson::array>()) CheckAmounts(e);
    return;
  }
  if (v.is<picojson::object>()) {
    for (const auto& [k, e] : v.get<picojson::object>()) CheckAmounts(e);
    return;
  }
  int64_t minor = 0;
  if (payments::ParseAmount(v, &minor) != payments::AmountError::kNone) return;
  FUZZ_CHECK(minor >= -payments::kMaxMinor && minor <= payments::kMaxMinor);
  std::string text = "{\"a\":" + json::Serialize(payments::AmountToJson(minor)) + "}";
  Result<picojson::object> back = json::ParseObject(text);
  FUZZ_CHECK(back.ok());
  int64_t again = 0;
  FUZZ_CHECK(payments::ParseAmount(back->at("a"), &again) == payments::AmountError::kNone);
  FUZZ_CHECK(again == minor);
}

void CheckFields(const picojson::object& body) {
  constexpr size_t kMaxItems = 3;
  http::FieldReader r(body);
  (void)r.String("name");
  (void)r.OptionalString("note", "none");
  (void)r.Amount("amount", true);
  (void)r.Bool("active", false);
  std::vector<std::string> tags = r.StringList("tags", kMaxItems);
  FUZZ_CHECK(tags.size() <= kMaxItems);
  Status st = r.Finish();
  // "name", "amount" and "tags" are required: a body without them is refused.
  if (st.ok()) FUZZ_CHECK(r.Has("name") && r.Has("amount") && r.Has("tags"));
  if (!st.ok()) FUZZ_CHECK(!st.details().empty());
}

}  // namespace
}  // namespace cairn

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  std::string_view text = fuzz::AsText(data, size);
  Result<picojson::object> parsed = json::ParseObject(text);
  if (!parsed.ok()) return 0;

  FUZZ_CHECK(json::IsValidUtf8(text));
  picojson::value first(parsed.value());
  FUZZ_CHECK(Depth(first) <= json::kMaxJsonDepth);

  std::string once = json::Serialize(first);
  FUZZ_CHECK(json::IsValidUtf8(once));
  Result<picojson::object> reparsed = json::ParseObject(once);
  FUZZ_CHECK(reparsed.ok());
  picojson::value second(reparsed.value());
  FUZZ_CHECK(Same(first, second));
  std::string twice = json::Serialize(second);
  Result<picojson::object> third = json::ParseObject(twice);
  FUZZ_CHECK(third.ok());
  FUZZ_CHECK(json::Serialize(picojson::value(third.value())) == twice);

  CheckFields(parsed.value());
  CheckAmounts(first);
  return 0;
}

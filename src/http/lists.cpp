#include "http/lists.h"

#include "payments/money.h"
#include "util/base64url.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/numbers.h"

namespace cairn::http {

namespace {

constexpr char kJson[] = "application/json; charset=utf-8";

Status BadParam(const std::string& name, const std::string& why) {
  return Status::InvalidArgument("Invalid query parameter " + name + ": " + why);
}

// "-createdAt,email" or sort=createdAt with dir=desc, into order terms over
// whitelisted columns. The id tie-breaker follows the first term.
Status ParseSort(const std::string& sort, const std::string& dir,
                 const std::vector<store::SortColumn>& whitelist, ListRequest* out) {
  if (!dir.empty() && dir != "asc" && dir != "desc") return BadParam("dir", "must be asc or desc");
  size_t start = 0;
  int terms = 0;
  while (start <= sort.size()) {
    size_t comma = sort.find(',', start);
    if (comma == std::string::npos) comma = sort.size();
    std::string field = sort.substr(start, comma - start);
    bool desc = false;
    if (!field.empty() && (field[0] == '-' || field[0] == '+')) {
      desc = field[0] == '-';
      field.erase(0, 1);
    } else if (terms == 0 && dir == "desc") {
      desc = true;
    }
    const store::SortColumn* col = nullptr;
    for (const store::SortColumn& c : whitelist) {
      if (c.field == field) col = &c;
    }
    if (col == nullptr) {
      std::string allowed;
      for (const store::SortColumn& c : whitelist)
        allowed += (allowed.empty() ? "" : ", ") + c.field;
      return BadParam("sort", "sortable fields are " + allowed);
    }
    for (const store::OrderTerm& t : out->spec.order) {
      if (t.column == col->column) return BadParam("sort", field + " is given twice");
    }
    out->spec.order.push_back({col->column, desc});
    out->sort_key += (out->sort_key.empty() ? "" : ",") + std::string(desc ? "-" : "") + field;
    if (++terms > 3) return BadParam("sort", "at most 3 fields");
    start = comma + 1;
  }
  out->spec.id_desc = out->spec.order.front().desc;
  return Status::Ok();
}

std::string EncodeCursor(const std::string& sort_key, const std::vector<store::SqlValue>& keys) {
  picojson::array k;
  for (const store::SqlValue& v : keys) {
    if (const int64_t* i = std::get_if<int64_t>(&v)) {
      k.emplace_back(*i);
    } else {
      k.emplace_back(std::get<std::string>(v));
    }
  }
  picojson::object o;
  o["s"] = picojson::value(sort_key);
  o["k"] = picojson::value(k);
  return Base64UrlEncode(json::Serialize(picojson::value(o)));
}

Status DecodeCursor(const std::string& cursor, ListRequest* out) {
  Status bad = BadParam("cursor", "not a cursor from this list");
  if (cursor.size() > 2048) return bad;
  std::string raw;
  if (!Base64UrlDecode(cursor, &raw)) return bad;
  Result<picojson::object> o = json::ParseObject(raw);
  if (!o.ok()) return bad;
  auto s = o->find("s");
  auto k = o->find("k");
  if (s == o->end() || k == o->end() || !s->second.is<std::string>() ||
      !k->second.is<picojson::array>()) {
    return bad;
  }
  if (s->second.get<std::string>() != out->sort_key) {
    return BadParam("cursor", "made for another sort; start again without it");
  }
  for (const picojson::value& v : k->second.get<picojson::array>()) {
    if (v.is<int64_t>()) {
      out->spec.after.emplace_back(v.get<int64_t>());
    } else if (v.is<std::string>()) {
      out->spec.after.emplace_back(v.get<std::string>());
    } else {
      return bad;
    }
  }
  if (out->spec.after.size() != out->spec.order.size() + 1) return bad;
  return Status::Ok();
}

}  // namespace

Result<ListRequest> ReadListRequest(const httplib::Request& req,
                                    const std::vector<store::SortColumn>& whitelist,
                                    const std::string& default_sort) {
  ListRequest out;
  std::string sort = default_sort;
  if (req.has_param("sort")) {
    sort = req.get_param_value("sort");
  } else if (req.has_param("dir") && !sort.empty() && (sort[0] == '-' || sort[0] == '+')) {
    sort.erase(0, 1);  // dir applies to the default field too
  }
  Status st = ParseSort(sort, req.get_param_value("dir"), whitelist, &out);
  if (!st.ok()) return st;

  int64_t size = kDefaultPageSize;
  for (const char* name : {"pageSize", "limit"}) {
    if (!req.has_param(name)) continue;
    if (!ParseDecimal(req.get_param_value(name), 1, kMaxPageSize, &size)) {
      return BadParam(name, "must be an integer from 1 to " + std::to_string(kMaxPageSize));
    }
    break;
  }
  out.spec.limit = static_cast<int>(size);

  if (req.has_param("cursor")) {
    // An empty cursor starts cursor paging at the first row.
    out.style = ListRequest::Style::kCursor;
    out.spec.count = false;
    std::string cursor = req.get_param_value("cursor");
    if (!cursor.empty()) {
      st = DecodeCursor(cursor, &out);
      if (!st.ok()) return st;
    }
  } else if (req.has_param("offset")) {
    out.style = ListRequest::Style::kOffset;
    if (!ParseDecimal(req.get_param_value("offset"), 0, 10'000'000, &out.spec.offset)) {
      return BadParam("offset", "must be an integer from 0");
    }
  } else if (req.has_param("page")) {
    int64_t page = 1;
    if (!ParseDecimal(req.get_param_value("page"), 1, 1'000'000, &page)) {
      return BadParam("page", "must be an integer from 1");
    }
    out.page = static_cast<int>(page);
    out.spec.offset = (page - 1) * size;
  }
  return out;
}

Result<std::string> ReadSearch(const httplib::Request& req) {
  if (!req.has_param("search")) return std::string();
  std::string s = req.get_param_value("search");
  size_t chars = 0;
  for (char c : s) chars += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  if (chars < 2 || chars > 100) return BadParam("search", "must be 2 to 100 characters");
  return s;
}

std::vector<QueryParam> ListQueryParams(const std::vector<store::SortColumn>& whitelist) {
  std::string fields;
  for (const store::SortColumn& c : whitelist) fields += (fields.empty() ? "" : ", ") + c.field;
  return {
      {"page", R"({"type": "integer", "minimum": 1})", "Page number (page style)"},
      {"pageSize", R"({"type": "integer", "minimum": 1, "maximum": 100})",
       "Rows per page, default 20 (alias limit)"},
      {"offset", R"({"type": "integer", "minimum": 0})", "Offset style: rows to skip"},
      {"cursor", R"({"type": "string"})",
       "Cursor style: pagination.nextCursor of the last page; empty for the first page. "
       "Cursor pages carry no total"},
      {"sort", R"({"type": "string"})",
       "Sort fields (" + fields + "), comma-separated, - for descending"},
      {"dir", R"({"enum": ["asc", "desc"]})", "Direction of a single sort field"},
  };
}

void WriteList(httplib::Response& res, picojson::array items, const ListRequest& list,
               const store::ListResult& result) {
  WriteListJson(res, json::Serialize(picojson::value(std::move(items))), list, result);
}

void WriteListJson(httplib::Response& res, std::string items_json, const ListRequest& list,
                   const store::ListResult& result) {
  picojson::object p;
  int64_t size = list.spec.limit;
  p["pageSize"] = picojson::value(size);
  if (list.spec.count) {
    p["total"] = picojson::value(result.total);
    p["totalPages"] = picojson::value((result.total + size - 1) / size);
  }
  if (list.style == ListRequest::Style::kPage) {
    p["page"] = picojson::value(static_cast<int64_t>(list.page));
    p["hasNextPage"] = picojson::value(result.more);
    p["hasPreviousPage"] = picojson::value(list.page > 1);
  } else if (list.style == ListRequest::Style::kOffset) {
    p["offset"] = picojson::value(list.spec.offset);
    p["nextOffset"] = result.more ? picojson::value(list.spec.offset + size) : picojson::value();
    p["hasNextPage"] = picojson::value(result.more);
    p["hasPreviousPage"] = picojson::value(list.spec.offset > 0);
  } else {
    p["hasNextPage"] = picojson::value(result.more);
  }
  p["nextCursor"] = result.more && !result.last.empty()
                        ? picojson::value(EncodeCursor(list.sort_key, result.last))
                        : picojson::value();
  // Keys in sorted order, as a picojson object would write them.
  std::string body;
  body.reserve(items_json.size() + 256);
  body += "{\"data\":";
  body += items_json;
  body += ",\"pagination\":";
  json::Append(body, picojson::value(std::move(p)));
  body += ",\"success\":true}";
  res.status = 200;
  res.set_content(std::move(body), kJson);
}

Status ReadTimeRange(const httplib::Request& req, const std::string& field, int64_t* from,
                     int64_t* to) {
  *from = 0;
  *to = 0;
  for (bool upper : {false, true}) {
    std::string name = field + (upper ? "[lte]" : "[gte]");
    if (!req.has_param(name)) continue;
    std::string value = req.get_param_value(name);
    TimePoint t;
    if (!ParseIso8601(value, &t)) {
      return BadParam(name, "a time like 2026-01-15T10:30:00Z or a date like 2026-01-15");
    }
    int64_t s = UnixSeconds(t);
    // A bare date as the upper bound takes in the whole day.
    if (upper && value.size() == 10) s += 24 * 3600 - 1;
    (upper ? *to : *from) = s;
  }
  return Status::Ok();
}

Status ReadAmountRange(const httplib::Request& req, const std::string& field, int64_t* min,
                       int64_t* max) {
  *min = -1;
  *max = -1;
  for (bool upper : {false, true}) {
    std::string name = field + (upper ? "[lte]" : "[gte]");
    if (!req.has_param(name)) continue;
    std::string value = req.get_param_value(name);
    picojson::value v;
    int64_t minor = 0;
    bool ok = value.find_first_not_of("0123456789.") == std::string::npos &&
              picojson::parse(v, value).empty() &&
              payments::ParseAmount(v, &minor) == payments::AmountError::kNone;
    if (!ok) return BadParam(name, "an amount like 1000 or 99.95");
    (upper ? *max : *min) = minor;
  }
  return Status::Ok();
}

}  // namespace cairn::http

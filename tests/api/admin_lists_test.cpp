// Listing accounts as an admin: page, offset and cursor paging, search,
// filters and sort, with the refusals for bad parameters.

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"
#include "util/base64url.h"

using namespace cairn::test;

namespace {

// The eight accounts the list tests look at: an admin and seven others, one
// of them deleted.
struct Directory {
  Account admin;
  std::map<std::string, std::string> ids;  // email -> id
};

Directory Seed(const ServerProcess& server, httplib::Client& cli) {
  Directory d;
  d.admin = CreateWithCli(server, cli, "root@example.com", "admin");
  d.ids["root@example.com"] = d.admin.id;
  struct P {
    const char* email;
    const char* first;
    const char* last;
    const char* role;
  };
  for (const P& p : {P{"ada@example.com", "Ada", "Lovelace", "user"},
                     P{"grace@example.com", "Grace", "Hopper", "merchant"},
                     P{"alan@example.com", "Alan", "Turing", "user"},
                     P{"linus_t@example.com", "Linus", "Torvalds", "user"},
                     P{"100%real@example.com", "Real", "Person", "user"},
                     P{"barbara@example.org", "Barbara", "Liskov", "merchant"},
                     P{"edsger@example.com", "Edsger", "Dijkstra", "user"}}) {
    d.ids[p.email] = AdminCreate(cli, d.admin, p.email, p.first, p.last, p.role);
  }
  auto del = cli.Delete("/api/v1/users/" + d.ids["edsger@example.com"], Bearer(d.admin.access));
  REQUIRE(del);
  REQUIRE(del->status == 204);
  return d;
}

}  // namespace

TEST_CASE("the account list pages with page/pageSize (alias limit) and refuses bad values") {
  ServerProcess server;
  auto cli = server.Client();
  Directory d = Seed(server, cli);
  const Account& admin = d.admin;

  Page all = List(cli, admin, "/api/v1/users");
  REQUIRE(all.status == 200);
  CHECK(all.items.size() == 8);
  CHECK(PgInt(all, "page") == 1);
  CHECK(PgInt(all, "pageSize") == 20);
  CHECK(PgInt(all, "total") == 8);
  CHECK(PgInt(all, "totalPages") == 1);
  CHECK_FALSE(PgBool(all, "hasNextPage"));
  CHECK_FALSE(PgBool(all, "hasPreviousPage"));
  CHECK(Pg(all, "nextCursor").is<picojson::null>());
  // Each item is the admin view of an account, with no secret in it.
  const auto& first = all.items[0].get<picojson::object>();
  for (const char* key : {"id", "email", "firstName", "lastName", "role", "kycStatus", "status",
                          "createdAt", "updatedAt"}) {
    CAPTURE(std::string(key));
    CHECK(first.count(key) == 1);
  }
  for (const char* word : {"password", "hash", "$argon2", "locked", "failed"}) {
    CAPTURE(std::string(word));
    CHECK(all.body.find(word) == std::string::npos);
  }

  Page p2 = List(cli, admin, "/api/v1/users?page=2&pageSize=3");
  REQUIRE(p2.status == 200);
  CHECK(p2.items.size() == 3);
  CHECK(PgInt(p2, "page") == 2);
  CHECK(PgInt(p2, "pageSize") == 3);
  CHECK(PgInt(p2, "total") == 8);
  CHECK(PgInt(p2, "totalPages") == 3);
  CHECK(PgBool(p2, "hasNextPage"));
  CHECK(PgBool(p2, "hasPreviousPage"));
  CHECK(Pg(p2, "nextCursor").is<std::string>());

  Page p3 = List(cli, admin, "/api/v1/users?page=3&limit=3");  // limit is pageSize
  REQUIRE(p3.status == 200);
  CHECK(p3.items.size() == 2);
  CHECK(PgInt(p3, "pageSize") == 3);
  CHECK_FALSE(PgBool(p3, "hasNextPage"));
  CHECK(PgBool(p3, "hasPreviousPage"));
  CHECK(Pg(p3, "nextCursor").is<picojson::null>());

  Page past = List(cli, admin, "/api/v1/users?page=4&pageSize=3");
  REQUIRE(past.status == 200);
  CHECK(past.items.empty());
  CHECK(past.body.find("\"data\":[]") != std::string::npos);

  // The three pages together are the whole list, in the same order.
  Page p1 = List(cli, admin, "/api/v1/users?page=1&pageSize=3");
  std::vector<std::string> joined = Field(p1, "id");
  for (const Page* p : {&p2, &p3}) {
    for (const std::string& id : Field(*p, "id")) joined.push_back(id);
  }
  CHECK(joined == Field(all, "id"));

  Page hundred = List(cli, admin, "/api/v1/users?pageSize=100");
  CHECK(hundred.status == 200);
  for (const char* q : {"pageSize=101", "pageSize=0", "pageSize=-1", "pageSize=abc", "pageSize=1.5",
                        "limit=101", "limit=0", "page=0", "page=-1", "page=x", "search=a"}) {
    CAPTURE(std::string(q));
    Page bad = List(cli, admin, std::string("/api/v1/users?") + q);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
  Page long_search = List(cli, admin, "/api/v1/users?search=" + std::string(101, 'a'));
  CHECK(long_search.status == 400);
  CHECK(long_search.code == "bad_request");
}

TEST_CASE("search matches email and names case-insensitively, with % and _ taken literally") {
  ServerProcess server;
  auto cli = server.Client();
  Directory d = Seed(server, cli);
  using Set = std::set<std::string>;
  struct Q {
    const char* query;
    Set emails;
  };
  const Q cases[] = {
      {"search=LOVE", {"ada@example.com"}},
      {"search=ada%20lo", {"ada@example.com"}},  // "first last"
      {"search=hoPPer", {"grace@example.com"}},
      {"search=GRACE@", {"grace@example.com"}},
      {"search=example.org", {"barbara@example.org"}},
      {"search=%25%25", {}},                      // "%%": literal, matches no one
      {"search=%25r", {"100%real@example.com"}},  // "%r"
      {"search=_t", {"linus_t@example.com"}},     // "_" is not a wildcard
      {"search=t_", {}},                          // as a wildcard it would match "Alan Turing"
      {"search=nobody-here", {}},
      {"search=example.com&role=merchant", {"grace@example.com"}},
      {"role=merchant", {"grace@example.com", "barbara@example.org"}},
      {"role=admin", {"root@example.com"}},
      {"status=deleted", {"edsger@example.com"}},
      {"status=deleted&role=user", {"edsger@example.com"}},
      {"status=deleted&role=merchant", {}},
      {"search=dijkstra", {"edsger@example.com"}},  // deleted accounts are listed too
  };
  for (const Q& q : cases) {
    CAPTURE(std::string(q.query));
    Page p = List(cli, d.admin, std::string("/api/v1/users?") + q.query);
    REQUIRE(p.status == 200);
    CHECK(FieldSet(p, "email") == q.emails);
    CHECK(PgInt(p, "total") == static_cast<int64_t>(q.emails.size()));
  }
  Page active = List(cli, d.admin, "/api/v1/users?status=active");
  CHECK(PgInt(active, "total") == 7);
  CHECK(FieldSet(active, "status") == Set{"active"});
  for (const char* q : {"role=boss", "role=ADMIN", "status=gone", "search=%25"}) {
    CAPTURE(std::string(q));
    Page bad = List(cli, d.admin, std::string("/api/v1/users?") + q);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
}

TEST_CASE("the account list sorts by whitelisted fields only, and pages by offset") {
  ServerProcess server;
  auto cli = server.Client();
  Directory d = Seed(server, cli);
  const Account& admin = d.admin;

  std::vector<std::string> emails;
  for (const auto& [email, id] : d.ids) emails.push_back(email);
  std::sort(emails.begin(), emails.end());
  Page asc = List(cli, admin, "/api/v1/users?sort=email&dir=asc");
  REQUIRE(asc.status == 200);
  CHECK(Field(asc, "email") == emails);
  std::vector<std::string> reversed(emails.rbegin(), emails.rend());
  CHECK(Field(List(cli, admin, "/api/v1/users?sort=email&dir=desc"), "email") == reversed);
  CHECK(Field(List(cli, admin, "/api/v1/users?sort=-email"), "email") == reversed);

  // Newest first, and by email among accounts created in the same second.
  Page two = List(cli, admin, "/api/v1/users?sort=-createdAt,email");
  REQUIRE(two.status == 200);
  std::vector<std::string> created = Field(two, "createdAt");
  std::vector<std::string> by = Field(two, "email");
  REQUIRE(created.size() == 8);
  for (size_t i = 1; i < created.size(); ++i) {
    CAPTURE(i);
    CHECK(created[i - 1] >= created[i]);
    if (created[i - 1] == created[i]) CHECK(by[i - 1] < by[i]);
  }

  for (const char* q : {"sort=password", "sort=passwordHash", "sort=email,email",
                        "sort=createdAt;DROP%20TABLE%20users", "sort=", "dir=sideways",
                        "sort=email&dir=up", "sort=a,b,c,d,e"}) {
    CAPTURE(std::string(q));
    Page bad = List(cli, admin, std::string("/api/v1/users?") + q);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
  CHECK(UserCount(server) == 8);

  Page o0 = List(cli, admin, "/api/v1/users?sort=email&limit=3&offset=0");
  REQUIRE(o0.status == 200);
  CHECK(PgInt(o0, "offset") == 0);
  CHECK(PgInt(o0, "nextOffset") == 3);
  CHECK(PgBool(o0, "hasNextPage"));
  CHECK_FALSE(PgBool(o0, "hasPreviousPage"));
  Page o3 = List(cli, admin, "/api/v1/users?sort=email&limit=3&offset=3");
  CHECK(PgInt(o3, "offset") == 3);
  CHECK(PgInt(o3, "nextOffset") == 6);
  CHECK(PgBool(o3, "hasPreviousPage"));
  Page o6 = List(cli, admin, "/api/v1/users?sort=email&limit=3&offset=6");
  CHECK(o6.items.size() == 2);
  CHECK(PgInt(o6, "offset") == 6);
  CHECK(Pg(o6, "nextOffset").is<picojson::null>());
  CHECK_FALSE(PgBool(o6, "hasNextPage"));
  CHECK(PgInt(o6, "total") == 8);
  std::vector<std::string> joined = Field(o0, "email");
  for (const Page* p : {&o3, &o6}) {
    for (const std::string& e : Field(*p, "email")) joined.push_back(e);
  }
  CHECK(joined == emails);
  for (const char* q : {"limit=3&offset=-1", "limit=3&offset=abc", "limit=3&offset="}) {
    CAPTURE(std::string(q));
    Page bad = List(cli, admin, std::string("/api/v1/users?") + q);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
}

TEST_CASE("cursor paging visits every account once, in order, and refuses a foreign cursor") {
  ServerProcess server;
  auto cli = server.Client();
  Directory d = Seed(server, cli);
  const Account& admin = d.admin;

  for (const std::string sort : {"", "&sort=email", "&sort=-createdAt,lastName", "&sort=role"}) {
    CAPTURE(sort);
    std::vector<std::string> expected =
        Field(List(cli, admin, "/api/v1/users?pageSize=100" + sort), "id");
    REQUIRE(expected.size() == 8);
    std::vector<std::string> walked;
    Page p = List(cli, admin, "/api/v1/users?pageSize=2" + sort);
    int pages = 1;
    for (;;) {
      REQUIRE(p.status == 200);
      CHECK(p.items.size() <= 2);
      for (const std::string& id : Field(p, "id")) walked.push_back(id);
      picojson::value next = Pg(p, "nextCursor");
      if (next.is<picojson::null>()) break;
      REQUIRE(next.is<std::string>());
      REQUIRE(pages < 10);
      p = List(cli, admin, "/api/v1/users?pageSize=2" + sort + "&cursor=" + next.to_str());
      CHECK(PgBool(p, "hasNextPage") == Pg(p, "nextCursor").is<std::string>());
      ++pages;
    }
    CHECK(pages == 4);
    CHECK(walked == expected);
  }

  // Stable under inserts: an account that sorts before the cursor does not
  // shift the rest of the walk.
  Page first = List(cli, admin, "/api/v1/users?pageSize=2&sort=email");
  std::vector<std::string> walked = Field(first, "email");
  AdminCreate(cli, admin, "aaron@example.com", "Aaron", "First", "user");
  std::string cursor = Pg(first, "nextCursor").to_str();
  while (!cursor.empty()) {
    Page p = List(cli, admin, "/api/v1/users?pageSize=2&sort=email&cursor=" + cursor);
    REQUIRE(p.status == 200);
    for (const std::string& e : Field(p, "email")) walked.push_back(e);
    picojson::value next = Pg(p, "nextCursor");
    cursor = next.is<std::string>() ? next.get<std::string>() : "";
  }
  std::vector<std::string> emails;
  for (const auto& [email, id] : d.ids) emails.push_back(email);
  std::sort(emails.begin(), emails.end());
  CHECK(walked == emails);

  // Tampered, forged and foreign cursors are 400.
  std::string good = Pg(List(cli, admin, "/api/v1/users?pageSize=2"), "nextCursor").to_str();
  std::string flipped = good;
  flipped[0] = flipped[0] == 'e' ? 'f' : 'e';
  std::string truncated = good.substr(0, good.size() / 2);
  for (const std::string& c :
       {flipped, truncated, good + "x", std::string("garbage"), std::string("!!!!"),
        cairn::Base64UrlEncode(R"({"s":"-createdAt","k":[1]})"),
        cairn::Base64UrlEncode(R"({"s":"-createdAt","k":[1,{}]})"),
        cairn::Base64UrlEncode(R"({"s":"-createdAt","k":"x"})"),
        cairn::Base64UrlEncode(R"([1,2,3])"), std::string(3000, 'A')}) {
    CAPTURE(c);
    Page bad = List(cli, admin, "/api/v1/users?pageSize=2&cursor=" + c);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
  for (const char* other :
       {"&sort=email", "&sort=createdAt", "&sort=lastName", "&sort=-createdAt,email"}) {
    CAPTURE(std::string(other));
    Page bad = List(cli, admin, "/api/v1/users?pageSize=2&cursor=" + good + other);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
  // The untouched cursor still works.
  CHECK(List(cli, admin, "/api/v1/users?pageSize=2&cursor=" + good).status == 200);
}

// --- one account -----------------------------------------------------------------

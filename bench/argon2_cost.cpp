// What one password check costs without HTTP: crypto_pwhash_str_verify of a
// hash made with the server's parameters (src/auth/password.h: Argon2id,
// opslimit 2, memlimit 19 MiB), timed N times, wall and CPU time.
//
//   g++ -O2 -std=c++20 -Isrc -o /tmp/argon2_cost bench/argon2_cost.cpp -static -lsodium
//   /tmp/argon2_cost 40

#include <sodium.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "auth/password.h"

namespace {

double CpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20;
  if (n < 1 || sodium_init() < 0) return 1;
  const cairn::auth::HashParams params;
  const char password[] = "bench-pass-1";
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password, sizeof password - 1, params.opslimit, params.memlimit) !=
      0) {
    return 1;
  }
  std::vector<double> wall, cpu;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = CpuMs();
    if (crypto_pwhash_str_verify(hash, password, sizeof password - 1) != 0) return 1;
    cpu.push_back(CpuMs() - cpu_start);
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("%s\n", hash);
  std::printf("verify x%d: wall min %.1f, median %.1f, max %.1f ms; cpu median %.1f ms\n", n,
              wall.front(), wall[n / 2], wall.back(), cpu[n / 2]);
}

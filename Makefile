# Cairn. `make` builds build/cairn (static, optimised, stripped); `make run`
# serves on :8080 with ./cairn.db; `make test` builds and runs every test;
# `make sanitize` runs them against an ASan/UBSan build; `make bench` measures;
# `make hostile` puts slow, idle and oversized clients on it, `make soak`
# minutes of mixed traffic; `make deb` packages build/cairn as a .deb
# (docs/operations.md); `make dist` builds the release executables for linux
# amd64, arm64 and armv7 with their checksums and .debs into build/dist/
# (scripts/dist.sh); `make fuzz` runs the libFuzzer targets of tests/fuzz/ for
# FUZZ_SECONDS each.
# Every target first runs scripts/deps.sh, which installs what is missing from
# Debian's packages and is silent when nothing is.

CXX      ?= g++
# The compiler for programs the build runs itself ($(BUILD)/embed): the
# machine's own, also when CXX is a cross compiler. A cross build is this
# Makefile with other variables, e.g. make BUILD=build/cross/arm64
# CXX=aarch64-linux-gnu-g++ CPPFLAGS='-isystem ...' LDFLAGS='-L...'
# (scripts/dist.sh runs it so, with the libraries in a per-arch sysroot).
# CPPFLAGS, CXXFLAGS and LDFLAGS reach the optimised build (the server) only.
HOST_CXX ?= g++
BUILD    ?= build
GEN      := $(BUILD)/gen
CXXSTD   := -std=c++20
WARN     := -Wall -Wextra
DEFS     := -DPICOJSON_USE_INT64
INCLUDES := -Isrc -Ithird_party/httplib
DEPFLAGS  = -MMD -MP
# -lssl before -lcrypto: a static link resolves left to right, and libssl
# needs libcrypto. OpenSSL is only for https webhook deliveries.
LIBS     := -lSQLiteCpp -lsqlite3 -lssl -lcrypto -lsodium -lpthread -ldl -lm

# Each function and object in its own section, so the linker can drop the
# ones nothing calls (--gc-sections): most of what a static libstdc++ and
# cpp-httplib pull in is never reached.
OPT_CXXFLAGS  := $(CXXSTD) $(WARN) $(DEFS) $(INCLUDES) $(CPPFLAGS) -O2 -ffunction-sections -fdata-sections \
                 $(CXXFLAGS)
# -s strips; -static makes one file that runs on any Linux of this arch.
OPT_LDFLAGS   := -static -s -Wl,--gc-sections $(LDFLAGS)
# GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s std::regex
# (used by httplib.h) only when ASan instruments it; the optimised build
# shows no such warning.
SAN_CXXFLAGS  := $(CXXSTD) $(WARN) -Wno-maybe-uninitialized $(DEFS) $(INCLUDES) -O1 -g \
                 -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined
SAN_LDFLAGS   := -fsanitize=address,undefined
TEST_CXXFLAGS := $(CXXSTD) $(WARN) $(DEFS) $(INCLUDES) -O0 -g

SRCS      := $(shell find src -name '*.cpp' | sort)
UNIT_SRCS := $(shell find tests -name '*_test.cpp' -not -path 'tests/api/*' | sort) tests/test_main.cpp
API_SRCS  := $(shell find tests/api -name '*.cpp' | sort)
EMBEDDED  := $(wildcard sql/*.sql) $(shell find static -type f 2>/dev/null)

# Build on every core by default (GNU make 4.3 honours -j set here).
MAKEFLAGS += -j$(shell nproc)

.PHONY: all deps deps-fuzz run test sanitize bench hostile soak deb dist fuzz clean
all: $(BUILD)/cairn

deps:
	@scripts/deps.sh build

# --- generated source: sql/ and static/ compiled into the binary -----------
$(BUILD)/embed: scripts/embed.cpp | deps
	@mkdir -p $(@D)
	$(HOST_CXX) $(CXXSTD) -O1 -o $@ $<

$(GEN)/embedded.cpp: $(BUILD)/embed $(EMBEDDED) | deps
	@mkdir -p $(@D)
	$(BUILD)/embed $@ sql static

# --- objects, one tree per flavour ------------------------------------------
# $(call objs,flavour,sources)
objs = $(patsubst %.cpp,$(BUILD)/$(1)/%.o,$(2))

$(BUILD)/opt/%.o: %.cpp | deps
	@mkdir -p $(@D)
	$(CXX) $(OPT_CXXFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: %.cpp | deps
	@mkdir -p $(@D)
	$(CXX) $(SAN_CXXFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/test/%.o: %.cpp | deps
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/opt/gen/embedded.o: $(GEN)/embedded.cpp
	@mkdir -p $(@D)
	$(CXX) $(OPT_CXXFLAGS) -c -o $@ $<
$(BUILD)/san/gen/embedded.o: $(GEN)/embedded.cpp
	@mkdir -p $(@D)
	$(CXX) $(SAN_CXXFLAGS) -c -o $@ $<
$(BUILD)/test/gen/embedded.o: $(GEN)/embedded.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) -c -o $@ $<

OPT_OBJS  := $(call objs,opt,$(SRCS) main.cpp) $(BUILD)/opt/gen/embedded.o
SAN_OBJS  := $(call objs,san,$(SRCS) main.cpp) $(BUILD)/san/gen/embedded.o
LIB_TEST_OBJS := $(call objs,test,$(SRCS)) $(BUILD)/test/gen/embedded.o
LIB_SAN_OBJS  := $(call objs,san,$(SRCS)) $(BUILD)/san/gen/embedded.o
LIB_OPT_OBJS  := $(call objs,opt,$(SRCS)) $(BUILD)/opt/gen/embedded.o

# --- the server --------------------------------------------------------------
$(BUILD)/cairn: $(OPT_OBJS)
	$(CXX) $(OPT_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/san/cairn: $(SAN_OBJS)
	$(CXX) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

run: $(BUILD)/cairn
	./$(BUILD)/cairn serve

# The Debian package: the binary, its systemd units and settings file, offline
# with dpkg-deb, into $(BUILD)/cairn_<version>_<arch>.deb.
deb: $(BUILD)/cairn
	@packaging/deb.sh --binary $(BUILD)/cairn --out $(BUILD)

# Release files in $(BUILD)/dist/: cairn-<version>-linux-{amd64,arm64,armv7},
# each with a .sha256, and a .deb per architecture. The ARM executables are
# cross-compiled by this Makefile (under $(BUILD)/cross/) and every one is
# smoke-tested by the API tests, the ARM ones under qemu-user.
dist: $(BUILD)/cairn $(BUILD)/smoke_tests
	@scripts/deps.sh dist
	@BUILD=$(BUILD) scripts/dist.sh

# --- tests -----------------------------------------------------------------
$(BUILD)/unit_tests: $(call objs,test,$(UNIT_SRCS)) $(LIB_TEST_OBJS)
	$(CXX) -o $@ $^ $(LIBS)
$(BUILD)/api_tests: $(call objs,test,$(API_SRCS) tests/test_main.cpp) $(LIB_TEST_OBJS)
	$(CXX) -o $@ $^ $(LIBS)
$(BUILD)/san/unit_tests: $(call objs,san,$(UNIT_SRCS)) $(LIB_SAN_OBJS)
	$(CXX) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/san/api_tests: $(call objs,san,$(API_SRCS) tests/test_main.cpp) $(LIB_SAN_OBJS)
	$(CXX) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

# The API tests `make dist` runs against each release executable (the cases
# are chosen in scripts/dist.sh): only the files that hold them and their
# helpers, linked with the server's optimised objects, so that a release
# build does not compile the whole test suite a second time.
SMOKE_SRCS := $(addprefix tests/api/,harness.cpp accounts.cpp lists.cpp payment_setup.cpp \
                system_test.cpp auth_test.cpp cli_test.cpp qr_payment_test.cpp) tests/test_main.cpp
$(BUILD)/smoke_tests: $(call objs,test,$(SMOKE_SRCS)) $(LIB_OPT_OBJS)
	$(CXX) -o $@ $^ $(LIBS)

test: $(BUILD)/cairn $(BUILD)/unit_tests $(BUILD)/api_tests
	@scripts/deps.sh test
	@scripts/run_tests.sh $(BUILD)/unit_tests $(BUILD)/api_tests $(BUILD)/cairn

sanitize: $(BUILD)/san/cairn $(BUILD)/san/unit_tests $(BUILD)/san/api_tests
	@scripts/deps.sh test
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/run_tests.sh $(BUILD)/san/unit_tests $(BUILD)/san/api_tests $(BUILD)/san/cairn

# bench/limiter_keys.cpp measures the rate limiter through its API, built
# from the server's own optimised objects.
$(BUILD)/limiter_keys: $(call objs,opt,bench/limiter_keys.cpp) $(LIB_OPT_OBJS)
	$(CXX) -o $@ $^ $(LIBS)

# bench/seed_payments.cpp fills a database with payments made through the
# payments domain, for the list benchmark.
$(BUILD)/seed_payments: $(call objs,opt,bench/seed_payments.cpp) $(LIB_OPT_OBJS)
	$(CXX) -o $@ $^ $(LIBS)

# bench/events_bench.cpp drives the webhook and event-stream benchmark over
# HTTP; it needs only httplib, which is built with its TLS support
# (http/httplib_config.h), so it links OpenSSL too.
$(BUILD)/events_bench: $(call objs,opt,bench/events_bench.cpp)
	$(CXX) -o $@ $^ -lssl -lcrypto -lpthread

bench: $(BUILD)/cairn $(BUILD)/limiter_keys $(BUILD)/seed_payments $(BUILD)/events_bench
	@scripts/deps.sh bench
	@CAIRN_BIN=$(BUILD)/cairn LIMITER_BIN=$(BUILD)/limiter_keys bash bench/run.sh
	@CAIRN_BIN=$(BUILD)/cairn SEED_BIN=$(BUILD)/seed_payments bash bench/payments.sh
	@CAIRN_BIN=$(BUILD)/cairn EVENTS_BIN=$(BUILD)/events_bench bash bench/integration.sh

# bench/hostile.cpp is the hostile-clients driver: the probe, idle keep-alive
# connections and oversized requests, over plain sockets.
$(BUILD)/hostile: $(call objs,opt,bench/hostile.cpp)
	$(CXX) -o $@ $^ -lpthread

# Slow, idle and oversized clients against one Cairn while a probe measures
# latency (bench/hostile.sh, about three minutes); exits non-zero on a failure.
hostile: $(BUILD)/cairn $(BUILD)/hostile
	@scripts/deps.sh bench
	@CAIRN_BIN=$(BUILD)/cairn HOSTILE_BIN=$(BUILD)/hostile bash bench/hostile.sh

# bench/soak.cpp drives the soak's mixed traffic; like events_bench it needs
# only httplib (with TLS support) and bench/bench_client.h.
$(BUILD)/soak: $(call objs,opt,bench/soak.cpp)
	$(CXX) -o $@ $^ -lssl -lcrypto -lpthread

# Minutes of mixed traffic against one Cairn (bench/soak.sh, SOAK_SECONDS,
# default 180); exits non-zero on an unexpected status or rising memory.
soak: $(BUILD)/cairn $(BUILD)/soak
	@scripts/deps.sh bench
	@CAIRN_BIN=$(BUILD)/cairn SOAK_BIN=$(BUILD)/soak bash bench/soak.sh

# --- fuzzing ------------------------------------------------------------------
# libFuzzer targets, one per tests/fuzz/<name>.cpp, built by clang with ASan
# and UBSan into $(BUILD)/fuzz/, each linked with only the src/ objects it
# needs (compiled by clang into the same tree). `make fuzz` runs each for
# FUZZ_SECONDS from its committed seeds (tests/fuzz/corpus/<name>/), prints
# executions and coverage per target, and fails if any found a crash
# (scripts/fuzz.sh; tests/fuzz/README.md).
CLANGXX      ?= clang++-14
FUZZ_SECONDS ?= 60
# _GLIBCXX_ASSERTIONS: an out-of-range operator[] on a string or vector
# aborts, where ASan might not see it inside the container's capacity.
FUZZ_CXXFLAGS := $(CXXSTD) $(WARN) $(DEFS) $(INCLUDES) -O1 -g -fno-omit-frame-pointer \
                 -D_GLIBCXX_ASSERTIONS -fsanitize=fuzzer-no-link,address,undefined \
                 -fno-sanitize-recover=undefined
FUZZ_LDFLAGS  := -fsanitize=fuzzer,address,undefined

FUZZ_TARGETS := json_body jwt lists router cookies request_framing
FUZZ_SRCS_json_body := src/util/json.cpp src/http/fields.cpp src/payments/money.cpp
FUZZ_SRCS_jwt       := src/auth/jwt.cpp src/util/base64url.cpp src/util/digest.cpp src/util/json.cpp
FUZZ_LIBS_jwt       := -lsodium
FUZZ_SRCS_lists     := src/http/lists.cpp src/store/list_query.cpp src/store/database.cpp \
                       src/util/log.cpp src/util/json.cpp src/util/base64url.cpp \
                       src/util/clock.cpp src/util/numbers.cpp src/payments/money.cpp
FUZZ_LIBS_lists     := -lSQLiteCpp -lsqlite3 -lssl -lcrypto -lpthread -ldl
FUZZ_SRCS_router    := src/http/router.cpp
FUZZ_LIBS_router    := -lssl -lcrypto
FUZZ_SRCS_request_framing := src/http/request_framing.cpp
FUZZ_SRCS_cookies   := src/http/cookies.cpp
FUZZ_LIBS_cookies   := -lssl -lcrypto

deps-fuzz:
	@scripts/deps.sh fuzz

$(BUILD)/fuzz/%.o: %.cpp | deps-fuzz
	@mkdir -p $(@D)
	$(CLANGXX) $(FUZZ_CXXFLAGS) $(DEPFLAGS) -c -o $@ $<

# $(call fuzz_target,name): $(BUILD)/fuzz/<name> from its harness and sources.
define fuzz_target
$(BUILD)/fuzz/$(1): $(call objs,fuzz,tests/fuzz/$(1).cpp $(FUZZ_SRCS_$(1)))
	$$(CLANGXX) $$(FUZZ_LDFLAGS) -o $$@ $$^ $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target,$(t))))

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(BUILD)/fuzz $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# xen-gpu-audit: host builds of the hypervisor sources, tests, tools.
#
#   make           host library + gpu-audit CLI (build/)
#   make test      every test suite; ends with "N passed, M failed"
#   make demo      the CLI over the shipped sample batches
#   make bench     audit throughput against memcpy, instructions per command
#                  (host build and Xen code-generation flags: mk/bench.mk)
#   make xen-check compile our hypervisor sources inside Debian's Xen 4.17
#
# Host builds use Xen's own warning set so that nothing compiles only on
# one side of the platform boundary.

BUILD      ?= build
PYTHON     ?= python3
CC         ?= gcc
SAN_CC     ?= clang

AUDIT_DIR  := xen/common/gpu_audit
SPECS      := $(AUDIT_DIR)/spec/gen8.spec $(AUDIT_DIR)/spec/gen9.spec
GEN_SRC    := $(BUILD)/gen/cmd_gen8.c $(BUILD)/gen/cmd_gen9.c
AUDIT_SRC  := $(filter-out $(AUDIT_DIR)/cmd_gen%.c,$(wildcard $(AUDIT_DIR)/*.c))
GTT_DIR    := xen/arch/x86/hvm/gtt
GTT_SRC    := $(wildcard $(GTT_DIR)/*.c)
SHIM_SRC   := $(wildcard tests/shim/*.c)
# The GPU model and isolation checker (tests/gpumodel/): host-only.
MODEL_SRC  := $(wildcard tests/gpumodel/*.c)
LIB_SRC    := $(AUDIT_SRC) $(GTT_SRC) $(SHIM_SRC) $(MODEL_SRC) $(GEN_SRC)
SRC_HDRS   := $(wildcard $(AUDIT_DIR)/*.h) $(wildcard $(GTT_DIR)/*.h) \
              $(wildcard tests/shim/*.h) $(wildcard tests/gpumodel/*.h) \
              xen/include/public/gpu.h

XEN_WARN   := -std=gnu99 -Wall -Werror -Wstrict-prototypes \
              -Wdeclaration-after-statement -Wvla -Wredundant-decls \
              -Wno-unused-but-set-variable -Wno-unused-local-typedefs \
              -fno-strict-aliasing
INCLUDES   := -Ixen/include -I$(AUDIT_DIR) -I$(GTT_DIR) -Itests/shim -Itests/gpumodel \
              -I$(BUILD)/gen
CFLAGS     ?= -O2 -g
ALL_CFLAGS := $(XEN_WARN) $(CFLAGS) $(INCLUDES)
SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

TESTS      := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
TEST_BINS  := $(addprefix $(BUILD)/tests/,$(TESTS))
SAN_BINS   := $(addprefix $(BUILD)/asan/,$(TESTS))
TEST_COMMON := tests/unit/harness.c

.PHONY: all deps test unit asan demo bench clean xen-check
# Host tools: gpu-audit (command auditor CLI), gtt-replay (GTT engine traces).
TOOLS      := $(BUILD)/gpu-audit $(if $(wildcard tools/gtt-replay/gtt-replay.c),$(BUILD)/gtt-replay)
all: deps $(TOOLS)

deps:
	@mk/deps.sh base

include mk/xen.mk

# Generated tables are kept: the fuzzer and xen-check read them too.
.SECONDARY: $(GEN_SRC)

$(BUILD)/gen/cmd_gen%.c: $(AUDIT_DIR)/spec/gen%.spec $(SPECS) xen/tools/gen-gpu-cmds.py
	@mkdir -p $(@D)
	$(PYTHON) xen/tools/gen-gpu-cmds.py $< $@

$(BUILD)/obj/%.o: %.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(AUDIT_SRC) $(GTT_SRC) $(SHIM_SRC) $(MODEL_SRC)) \
            $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_SRC))

# The checker's reference tables include the generated ones.
$(patsubst %.c,$(BUILD)/obj/%.o,$(MODEL_SRC)): $(GEN_SRC)

$(BUILD)/libgpuaudit.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/gpu-audit: tools/gpu-audit/gpu-audit.c tools/gpu-audit/region.h $(BUILD)/libgpuaudit.a
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libgpuaudit.a -o $@

$(BUILD)/gtt-replay: $(wildcard tools/gtt-replay/*.c) $(wildcard tools/gtt-replay/*.h) $(BUILD)/libgpuaudit.a
	$(CC) $(ALL_CFLAGS) -Itools/gtt-replay $(filter %.c,$^) $(BUILD)/libgpuaudit.a -o $@

# gtt-replay with ASan+UBSan: test-gtt-replay.sh runs the traces with it too.
SAN_TOOLS  := $(if $(wildcard tools/gtt-replay/gtt-replay.c),$(BUILD)/asan/gtt-replay)
$(BUILD)/asan/gtt-replay: $(wildcard tools/gtt-replay/*.c) $(wildcard tools/gtt-replay/*.h) $(LIB_SRC) $(SRC_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) $(SAN_FLAGS) $(INCLUDES) -Itools/gtt-replay $(filter %.c,$^) -o $@

# Unit tests (cmocka), normal and sanitizer builds.
$(BUILD)/tests/%: tests/unit/%.c $(TEST_COMMON) tests/unit/harness.h $(BUILD)/libgpuaudit.a
	@mkdir -p $(@D)
	$(CC) $(XEN_WARN) -Wno-declaration-after-statement $(CFLAGS) $(INCLUDES) -Itests/unit \
	    -DTEST_DATA=\"$(CURDIR)/tests/data\" $< $(TEST_COMMON) $(BUILD)/libgpuaudit.a -lcmocka -o $@

$(BUILD)/asan/%: tests/unit/%.c $(TEST_COMMON) tests/unit/harness.h $(LIB_SRC) $(SRC_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) -Wno-declaration-after-statement $(SAN_FLAGS) $(INCLUDES) -Itests/unit \
	    -DTEST_DATA=\"$(CURDIR)/tests/data\" $< $(TEST_COMMON) $(LIB_SRC) -lcmocka -o $@

unit: deps $(TEST_BINS)
asan: deps $(SAN_BINS)

test:
	@mk/deps.sh base fuzz xen
	@$(MAKE) --no-print-directory $(TOOLS) $(SAN_TOOLS) $(TEST_BINS) $(SAN_BINS)
	@tests/run-all.sh $(BUILD)

demo: all
	@tests/demo.sh $(BUILD)

# bench, bench-profile, bench-audit(-xen), bench-gtt: mk/bench.mk.
include mk/bench.mk

# Isolation checker, soak and checker self-test (mutants): mk/isolation.mk.
-include mk/isolation.mk

.PHONY: fuzz-smoke fuzz
FUZZ_SECONDS ?= 20
fuzz-smoke: deps
	@mk/deps.sh fuzz
	@tests/fuzz/run-smoke.sh $(BUILD) $(FUZZ_SECONDS)

fuzz: deps
	@mk/deps.sh fuzz
	@tests/fuzz/run-smoke.sh $(BUILD) $${FUZZ_SECONDS:-600}

clean:
	rm -rf $(BUILD)/gen $(BUILD)/obj $(BUILD)/tests $(BUILD)/asan $(BUILD)/gpu-audit \
	       $(BUILD)/libgpuaudit.a $(BUILD)/bench-audit $(BUILD)/gtt-replay $(BUILD)/bench-gtt $(BUILD)/fuzz $(BUILD)/callgrind \
	       $(BUILD)/bench*.json $(BUILD)/test-logs

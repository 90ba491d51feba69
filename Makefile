# xen-gpu-audit: host builds of the hypervisor sources, tests, tools.
#
#   make           host library + gpu-audit CLI (build/)
#   make test      every test suite; ends with "N passed, M failed"
#   make demo      the CLI over the shipped sample batches
#   make bench     audit throughput against memcpy, instructions per command
#                  (host build and Xen code-generation flags: mk/bench.mk)
#   make xen-check compile our hypervisor sources inside Debian's Xen 4.17
#   make clean     remove what the build and the tests wrote; keep fetched
#                  sources (src-cache, apt, xen-src, mesa-src)
#   make distclean remove all of $(BUILD)
#
# Host builds use Xen's own warning set so that nothing compiles only on
# one side of the platform boundary.

BUILD      ?= build
PYTHON     ?= python3
CC         ?= gcc
SAN_CC     ?= clang

AUDIT_DIR  := xen/common/gpu_audit
GTT_DIR    := xen/arch/x86/hvm/gtt
SPECS      := $(wildcard $(AUDIT_DIR)/spec/*.spec)
# Hypervisor sources: the obj-y of the two directories' Kbuild Makefiles
# (mk/kbuild-objs.mk), so the host and Xen builds compile the same files;
# foo.init.o is foo.c. cmd_genN.o is a command table generated from
# spec/genN.spec (into $(BUILD)/gen/); ref_genN.c is the same table under
# the isolation checker's name gpu_ref_spec_genN.
kbuild-objs = $(patsubst %.init,%,$(basename \
              $(shell MAKEFLAGS= $(MAKE) -s -f mk/kbuild-objs.mk DIR=$(1))))
AUDIT_OBJS := $(call kbuild-objs,$(AUDIT_DIR))
GEN_SRC    := $(patsubst %,$(BUILD)/gen/%.c,$(filter cmd_gen%,$(AUDIT_OBJS)))
REF_SRC    := $(subst /cmd_gen,/ref_gen,$(GEN_SRC))
AUDIT_SRC  := $(patsubst %,$(AUDIT_DIR)/%.c,$(filter-out cmd_gen%,$(AUDIT_OBJS)))
GTT_SRC    := $(patsubst %,$(GTT_DIR)/%.c,$(call kbuild-objs,$(GTT_DIR)))
# Each file in exactly one list: none only one of the builds compiles.
KBUILD_MISSING := $(filter-out $(wildcard $(AUDIT_SRC) $(GTT_SRC)),$(AUDIT_SRC) $(GTT_SRC))
KBUILD_UNLISTED := $(filter-out $(AUDIT_SRC) $(GTT_SRC),$(wildcard $(AUDIT_DIR)/*.c $(GTT_DIR)/*.c))
$(if $(KBUILD_MISSING),$(error in obj-y, but no such file: $(KBUILD_MISSING)))
$(if $(KBUILD_UNLISTED),$(error not in the obj-y of their directory's Makefile: $(KBUILD_UNLISTED)))
SHIM_SRC   := $(wildcard tests/shim/*.c)
# The GPU model and isolation checker (tests/gpumodel/): host-only.
MODEL_SRC  := $(wildcard tests/gpumodel/*.c)
LIB_SRC    := $(AUDIT_SRC) $(GTT_SRC) $(SHIM_SRC) $(MODEL_SRC) $(GEN_SRC) $(REF_SRC)
SRC_HDRS   := $(wildcard $(AUDIT_DIR)/*.h) $(wildcard $(GTT_DIR)/*.h) \
              $(wildcard tests/shim/*.h) $(wildcard tests/shim/xen/*.h) \
              $(wildcard tests/gpumodel/*.h) \
              xen/include/public/gpu.h xen/include/xen/gpu_audit.h \
              xen/arch/x86/include/asm/hvm/gtt.h

XEN_WARN   := -std=gnu99 -Wall -Werror -Wstrict-prototypes \
              -Wdeclaration-after-statement -Wvla -Wredundant-decls \
              -Wno-unused-but-set-variable -Wno-unused-local-typedefs \
              -fno-strict-aliasing
INCLUDES   := -Ixen/include -Ixen/arch/x86/include -I$(AUDIT_DIR) -I$(GTT_DIR) -Itests/shim -Itests/gpumodel \
              -I$(BUILD)/gen
CFLAGS     ?= -O2 -g
ALL_CFLAGS := $(XEN_WARN) $(CFLAGS) $(INCLUDES)
SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

TESTS      := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
TEST_BINS  := $(addprefix $(BUILD)/tests/,$(TESTS))
SAN_BINS   := $(addprefix $(BUILD)/asan/,$(TESTS))
TEST_COMMON := tests/unit/harness.c

.PHONY: all deps test unit asan demo bench clean distclean xen-check
# Host tools: gpu-audit (command auditor CLI), gtt-replay (GTT engine traces).
TOOLS      := $(BUILD)/gpu-audit $(if $(wildcard tools/gtt-replay/gtt-replay.c),$(BUILD)/gtt-replay)
all: deps $(TOOLS)

deps:
	@mk/deps.sh base

include mk/xen.mk

# Generated tables are kept: the fuzzer and xen-check read them too.
.SECONDARY: $(GEN_SRC) $(REF_SRC)

$(BUILD)/gen/cmd_gen%.c: $(AUDIT_DIR)/spec/gen%.spec $(SPECS) xen/tools/gen-gpu-cmds.py
	@mkdir -p $(@D)
	$(PYTHON) xen/tools/gen-gpu-cmds.py $< $@

# The checker's reference tables: a build whose auditor uses a patched spec
# (tests/isolation/mutants.sh) still checks against the pristine one.
$(BUILD)/gen/ref_gen%.c: $(AUDIT_DIR)/spec/gen%.spec $(SPECS) xen/tools/gen-gpu-cmds.py
	@mkdir -p $(@D)
	$(PYTHON) xen/tools/gen-gpu-cmds.py --symbol gpu_ref_spec_gen$* $< $@

$(BUILD)/obj/%.o: %.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(AUDIT_SRC) $(GTT_SRC) $(SHIM_SRC) $(MODEL_SRC)) \
            $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_SRC) $(REF_SRC))

$(BUILD)/libgpuaudit.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/gpu-audit: tools/gpu-audit/gpu-audit.c tools/gpu-audit/region.h $(BUILD)/libgpuaudit.a
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libgpuaudit.a -o $@

$(BUILD)/gtt-replay: $(wildcard tools/gtt-replay/*.c) $(wildcard tools/gtt-replay/*.h) $(BUILD)/libgpuaudit.a
	$(CC) $(ALL_CFLAGS) -Itools/gtt-replay $(filter %.c,$^) $(BUILD)/libgpuaudit.a -o $@

# Sanitizer builds: every library source compiled once with ASan+UBSan into
# $(BUILD)/asan/libgpuaudit.a; each sanitizer program links against it.
SAN_OBJS   := $(patsubst %.c,$(BUILD)/asan/obj/%.o,$(AUDIT_SRC) $(GTT_SRC) $(SHIM_SRC) $(MODEL_SRC)) \
              $(patsubst $(BUILD)/gen/%.c,$(BUILD)/asan/obj/gen/%.o,$(GEN_SRC) $(REF_SRC))
SAN_LIB    := $(BUILD)/asan/libgpuaudit.a

$(BUILD)/asan/obj/%.o: %.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) $(SAN_FLAGS) $(INCLUDES) -c $< -o $@

$(BUILD)/asan/obj/gen/%.o: $(BUILD)/gen/%.c $(SRC_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) $(SAN_FLAGS) $(INCLUDES) -c $< -o $@

$(patsubst %.c,$(BUILD)/asan/obj/%.o,$(MODEL_SRC)): $(GEN_SRC)

$(SAN_LIB): $(SAN_OBJS)
	rm -f $@
	ar rcs $@ $^

# gtt-replay with ASan+UBSan: test-gtt-replay.sh runs the traces with it too.
SAN_TOOLS  := $(if $(wildcard tools/gtt-replay/gtt-replay.c),$(BUILD)/asan/gtt-replay)
$(BUILD)/asan/gtt-replay: $(wildcard tools/gtt-replay/*.c) $(wildcard tools/gtt-replay/*.h) $(SAN_LIB)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) $(SAN_FLAGS) $(INCLUDES) -Itools/gtt-replay $(filter %.c,$^) $(SAN_LIB) -o $@

# Unit tests (cmocka), normal and sanitizer builds.  The harness is compiled
# once per build flavour and linked into every test program.
TEST_HDRS   := $(wildcard tests/unit/*.h)
TEST_CFLAGS := $(XEN_WARN) -Wno-declaration-after-statement $(INCLUDES) -Itests/unit \
               -DTEST_DATA=\"$(CURDIR)/tests/data\"

$(BUILD)/tests/obj/harness.o: $(TEST_COMMON) $(TEST_HDRS) $(SRC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/tests/harness.o: $(TEST_COMMON) $(TEST_HDRS) $(SRC_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(TEST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(TEST_BINS): $(BUILD)/tests/%: tests/unit/%.c $(TEST_HDRS) $(SRC_HDRS) $(BUILD)/tests/obj/harness.o $(BUILD)/libgpuaudit.a
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(CFLAGS) $< $(BUILD)/tests/obj/harness.o $(BUILD)/libgpuaudit.a -lcmocka -o $@

$(SAN_BINS): $(BUILD)/asan/%: tests/unit/%.c $(TEST_HDRS) $(SRC_HDRS) $(BUILD)/asan/obj/tests/harness.o $(SAN_LIB)
	@mkdir -p $(@D)
	$(SAN_CC) $(TEST_CFLAGS) $(SAN_FLAGS) $< $(BUILD)/asan/obj/tests/harness.o $(SAN_LIB) -lcmocka -o $@

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

# clean: everything the build and `make test` write under $(BUILD) (objects,
# programs, test logs, isolation/mutant/fuzz outputs, bench results) except
# the fetched sources, which are slow to get again: src-cache, apt, xen-src
# (with its xen-prepare.log) and mesa-src.  distclean removes those too.
BUILD_CACHES := src-cache apt xen-src xen-prepare.log mesa-src

clean:
	@if [ -e $(BUILD)/Makefile ] || [ -e $(BUILD)/.git ]; then \
	    echo "clean: $(BUILD) looks like a source tree; not cleaning it" >&2; exit 1; \
	fi
	@[ ! -d $(BUILD) ] || find $(BUILD) -mindepth 1 -maxdepth 1 \
	    $(foreach c,$(BUILD_CACHES),! -name $(c)) -exec rm -rf {} +

distclean: clean
	rm -rf $(BUILD)

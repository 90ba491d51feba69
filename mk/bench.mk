# Benchmarks (included by the Makefile): `make bench` and its binaries.
#
#   bench-audit       the auditor as the host build compiles it (CFLAGS)
#   bench-audit-xen   the auditor's sources and generated tables compiled
#                     with the code-generation flags Xen 4.17 gives x86
#                     hypervisor objects (below), the host shim, GTT code and
#                     the bench itself compiled normally
#   make bench-profile  instructions per command class (tests/bench/profile.sh)
#   make bench-check-paths  fast and careful paths agree on every bench
#                     submission, both builds (bench-audit --check-paths)
#
# XEN_CODEGEN is taken from `V=1 mk/xen-check.sh` (Debian's Xen 4.17 tree,
# defconfig, gcc 12): every flag of that compile line that changes code
# generation and that a hosted program can link with.  Left out:
#   -nostdinc -include xen/config.h -D__XEN__ ...  Xen's headers: the host
#       build takes the shim's instead (private.h)
#   -mpreferred-stack-boundary=3  the auditor calls libc through the shim
#       (malloc, fprintf); the SysV ABI wants the stack 16-byte aligned at
#       those calls and libc may rely on it.  Costs at most a stack
#       adjustment per frame.
#   -Wa,--strip-local-absolute, -pipe, -MMD ...  no effect on the code.
# Kept but needing support here:
#   -mindirect-branch=thunk-extern -mfunction-return=thunk-extern: the thunks
#       are tests/bench/xen-thunks.S, in the form BENCH_XEN_THUNK picks
#       (retpoline: Xen's default where it is safe, as on this AMD host;
#       lfence; jmp: Xen with IBRS or CET).
#   -fno-builtin: Xen maps mem{set,cpy,move,cmp} back to the builtins
#       (xen/string.h), so does tests/bench/xen-cflags.h; the calls left are
#       renamed to Xen's rep-movs versions (tests/bench/xen-string.c).
#   -fpic: Xen makes it cheap with hidden visibility; here the static link
#       relaxes the GOT loads.
XEN_CODEGEN := -m64 -O2 -fomit-frame-pointer -fno-strict-aliasing -fno-builtin \
               -fno-common -ffunction-sections -fdata-sections \
               -mindirect-branch=thunk-extern -mindirect-branch-register \
               -mfunction-return=thunk-extern -fno-jump-tables \
               -msoft-float -fno-stack-protector -fno-exceptions \
               -fno-asynchronous-unwind-tables -mno-red-zone -fpic -mno-mmx \
               -mno-sse -mskip-rax-setup -fcf-protection=branch -mmanual-endbr
BENCH_XEN_THUNK ?= retpoline
XEN_BENCH_CFLAGS := $(XEN_WARN) $(XEN_CODEGEN) -g -include tests/bench/xen-cflags.h \
                    $(INCLUDES)
# Out-of-line string calls of the Xen-flags objects go to Xen's versions.
XEN_STRING_SYMS := --redefine-sym memcpy=bench_xen_memcpy \
                   --redefine-sym memset=bench_xen_memset \
                   --redefine-sym memmove=bench_xen_memmove

XEN_AUDIT_OBJS := $(patsubst %.c,$(BUILD)/xenflags/%.o,$(AUDIT_SRC)) \
                  $(patsubst $(BUILD)/gen/%.c,$(BUILD)/xenflags/gen/%.o,$(GEN_SRC))
XEN_BENCH_OBJS := $(XEN_AUDIT_OBJS) $(BUILD)/xenflags/bench/xen-string.o \
                  $(BUILD)/xenflags/bench/xen-thunks.o
# Everything else of the host library, as the host build compiles it.
HOST_REST_OBJS := $(filter-out $(patsubst $(BUILD)/xenflags/%,$(BUILD)/obj/%,\
                    $(XEN_AUDIT_OBJS)),$(LIB_OBJS))

$(BUILD)/xenflags/%.o: %.c $(SRC_HDRS) tests/bench/xen-cflags.h mk/bench.mk
	@mkdir -p $(@D)
	$(CC) $(XEN_BENCH_CFLAGS) -c $< -o $@.tmp
	objcopy $(XEN_STRING_SYMS) $@.tmp $@ && rm -f $@.tmp

$(BUILD)/xenflags/gen/%.o: $(BUILD)/gen/%.c $(SRC_HDRS) tests/bench/xen-cflags.h mk/bench.mk
	@mkdir -p $(@D)
	$(CC) $(XEN_BENCH_CFLAGS) -c $< -o $@.tmp
	objcopy $(XEN_STRING_SYMS) $@.tmp $@ && rm -f $@.tmp

$(BUILD)/xenflags/bench/xen-string.o: tests/bench/xen-string.c tests/bench/xen-string.h mk/bench.mk
	@mkdir -p $(@D)
	$(CC) $(XEN_WARN) $(XEN_CODEGEN) -g -Itests/bench -c $< -o $@

$(BUILD)/xenflags/bench/xen-thunks.o: tests/bench/xen-thunks.S mk/bench.mk
	@mkdir -p $(@D)
	$(CC) -DBENCH_THUNK_$(shell echo $(BENCH_XEN_THUNK) | tr a-z A-Z) -c $< -o $@

$(BUILD)/libgpuaudit-xen.a: $(XEN_BENCH_OBJS) $(HOST_REST_OBJS)
	rm -f $@
	ar rcs $@ $^

BENCH_AUDIT_CFLAGS := $(XEN_WARN) -Wno-declaration-after-statement $(CFLAGS) \
                      $(INCLUDES) -Itools/gpu-audit -Itests/bench
BENCH_AUDIT_SRC    := tests/bench/bench-audit.c tests/bench/bench-streams.c
BENCH_AUDIT_HDRS   := tools/gpu-audit/region.h tests/bench/bench-streams.h \
                      tests/bench/xen-string.h

$(BUILD)/bench-audit: $(BENCH_AUDIT_SRC) $(BENCH_AUDIT_HDRS) $(BUILD)/libgpuaudit.a
	$(CC) $(BENCH_AUDIT_CFLAGS) $(BENCH_AUDIT_SRC) $(BUILD)/libgpuaudit.a -o $@

# The same bench; its guest reads and copy-only baseline use Xen's memcpy.
$(BUILD)/bench-audit-xen: $(BENCH_AUDIT_SRC) $(BENCH_AUDIT_HDRS) $(BUILD)/libgpuaudit-xen.a
	$(CC) $(BENCH_AUDIT_CFLAGS) -DBENCH_XEN_FLAGS $(BENCH_AUDIT_SRC) \
	    $(BUILD)/libgpuaudit-xen.a -o $@

# GTT engine: trapped-write handler cost, PPGTT population, shadow memory.
BENCH_GTT  := $(if $(wildcard tests/bench/bench-gtt.c),$(BUILD)/bench-gtt)
$(BUILD)/bench-gtt: tests/bench/bench-gtt.c $(BUILD)/libgpuaudit.a
	$(CC) $(XEN_WARN) -Wno-declaration-after-statement $(CFLAGS) $(INCLUDES) $< $(BUILD)/libgpuaudit.a -o $@

.PHONY: bench-profile bench-check-paths
bench: all
	@mk/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/bench-audit $(BUILD)/bench-audit-xen $(BENCH_GTT)
	@tests/bench.sh $(BUILD)
	@$(if $(BENCH_GTT),tests/bench-gtt.sh $(BUILD))

bench-profile: all
	@mk/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/bench-audit $(BUILD)/bench-audit-xen
	@tests/bench/profile.sh $(BUILD)

bench-check-paths: $(BUILD)/bench-audit $(BUILD)/bench-audit-xen
	$(BUILD)/bench-audit --check-paths --corpus tests/data/corpus
	$(BUILD)/bench-audit-xen --check-paths --corpus tests/data/corpus

# `make clean` removes the Xen-flags build too.
.PHONY: bench-clean
clean: bench-clean
bench-clean:
	rm -rf $(BUILD)/xenflags $(BUILD)/libgpuaudit-xen.a $(BUILD)/bench-audit-xen \
	       $(BUILD)/bench-profile

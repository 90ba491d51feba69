# Isolation checker (tests/isolation/): generated workloads of 2 to 8 vGPUs
# on the GPU model, every access checked (included by the Makefile).
#
#   make isolation   the 10^7-operation check of `make test` (both gens)
#   make soak        a longer run, operations per second (SOAK_SECONDS)
#   make mutants     the checker's self-test: weakened builds must be caught

ISO_DIR   := tests/isolation
ISO_SRC   := $(wildcard $(ISO_DIR)/*.c)
ISO_HDRS  := $(wildcard $(ISO_DIR)/*.h)
ISO_BIN   := $(BUILD)/isolation/isolation
SOAK_SECONDS ?= 60

$(ISO_BIN): $(ISO_SRC) $(ISO_HDRS) $(BUILD)/libgpuaudit.a
	@mkdir -p $(@D)
	$(CC) $(XEN_WARN) $(CFLAGS) $(INCLUDES) -I$(ISO_DIR) $(ISO_SRC) \
	    $(BUILD)/libgpuaudit.a -o $@

$(BUILD)/asan/isolation: $(ISO_SRC) $(ISO_HDRS) $(SAN_LIB)
	@mkdir -p $(@D)
	$(SAN_CC) $(XEN_WARN) $(SAN_FLAGS) $(INCLUDES) -I$(ISO_DIR) $(ISO_SRC) \
	    $(SAN_LIB) -o $@

.PHONY: isolation soak mutants
isolation: $(ISO_BIN)
	@$(ISO_DIR)/run.sh $(BUILD)

soak: $(ISO_BIN)
	@for gen in 9 8; do \
	    echo "== gen $$gen, $(SOAK_SECONDS) s"; \
	    $(ISO_BIN) --gen $$gen --soak $(SOAK_SECONDS) --seed $$(date +%s) \
	        --out $(BUILD)/isolation || exit 1; \
	done

mutants: $(ISO_BIN)
	@$(ISO_DIR)/mutants.sh $(BUILD)

# Extra makefile read *after* Xen's own xen/Makefile, used by mk/xen-check.sh:
#
#   make -C <xen>/xen -f Makefile -f <repo>/mk/xen-helper.mk gpu-audit-prepare
#   make -C <xen>/xen -f Makefile -f <repo>/mk/xen-helper.mk gpu-audit-objs DIR=common/gpu_audit
#   make -C <xen>/xen -f Makefile -f <repo>/mk/xen-helper.mk gpu-audit-obj OBJ=common/gpu_audit/foo.init.o
#
# Not a project Makefile fragment: it only makes sense inside Xen's build.

gpu-audit-helper := $(abspath $(lastword $(MAKEFILE_LIST)))

# The hypervisor "prepare" steps: the first five recipe lines of Xen 4.17's
# $(TARGET) rule (xen/Makefile), i.e. everything the full build does before
# descending into the source directories. Afterwards single objects can be
# built with `make -C xen dir/foo.o`. Costs ~10 s instead of ~60 s for a full
# hypervisor build.
.PHONY: gpu-audit-prepare
gpu-audit-prepare: outputmakefile FORCE
	$(Q)$(MAKE) $(build)=tools
	$(Q)$(MAKE) $(build)=. include/xen/compile.h
	$(Q)$(MAKE) $(build)=include all
	$(Q)$(MAKE) $(build)=arch/$(SRCARCH) include
	$(Q)$(MAKE) $(build)=. arch/$(SRCARCH)/include/asm/asm-offsets.h

# Print the objects a directory's Kbuild Makefile selects (obj-y after
# Rules.mk processing, with CONFIG_* from the tree's .config), one line
# "gpu-audit-objs: <objs>". Evaluated by Xen's own Rules.mk.
.PHONY: gpu-audit-objs
gpu-audit-objs: FORCE
	$(Q)$(MAKE) $(build)=$(DIR) -f $(gpu-audit-helper) gpu-audit-print-objs

.PHONY: gpu-audit-print-objs
gpu-audit-print-objs:
	@echo "gpu-audit-objs: $(obj-y)"

# Build one object the way xen/Makefile's `%.o: %.c` rule does; needed for
# foo.init.o, which that pattern rule cannot match (no foo.init.c).
.PHONY: gpu-audit-obj
gpu-audit-obj: tools_fixdep FORCE
	$(Q)$(MAKE) $(build)=$(patsubst %/,%,$(dir $(OBJ))) $(OBJ)

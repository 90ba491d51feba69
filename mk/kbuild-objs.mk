# The objects a Kbuild Makefile of ours lists in obj-y, for the host build
# (the top Makefile derives its hypervisor source lists from these, so both
# builds compile the same files):
#
#   make -s -f mk/kbuild-objs.mk DIR=xen/common/gpu_audit
#
# prints obj-y as Xen's Rules.mk reads it from DIR/Makefile, without
# Kconfig (obj-$(CONFIG_FOO) lines do not count) and without subdirectories.
# Not a project Makefile fragment: the rules DIR/Makefile defines are read,
# never run.

.PHONY: kbuild-objs
kbuild-objs:
	@echo $(filter %.o,$(obj-y))

obj := $(DIR)
src := $(DIR)
srctree := xen
obj-y :=
include $(DIR)/Makefile

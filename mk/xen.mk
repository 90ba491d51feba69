# mk/xen.mk -- included from the top-level Makefile.
#
#   make xen-src     fetch Debian's Xen 4.17 source into $(BUILD)/xen-src
#                    and prepare it for single-object builds (cached)
#   make xen-check   compile our hypervisor sources with Xen's own rules
#                    and flags (-Werror) inside that tree (mk/xen-check.sh)
#   make xen-deps    install the Debian packages these need (mk/deps.sh xen)
#
# BUILD may be relative to the repo root or absolute.

BUILD ?= build

XEN_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: xen-deps xen-src xen-check
xen-deps:
	$(XEN_MK_DIR)/deps.sh xen

xen-src: xen-deps
	BUILD=$(abspath $(BUILD)) $(XEN_MK_DIR)/xen-check.sh --prepare-only

xen-check: xen-deps
	BUILD=$(abspath $(BUILD)) $(XEN_MK_DIR)/xen-check.sh

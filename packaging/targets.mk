# The Linux targets every release artifact is built for (included by the
# bindings' Makefiles). glibc builds link against glibc 2.17 (manylinux2014,
# RHEL 7 and later) through zig; musl builds against musl 1.2.
#   make -C packaging tools   installs what these need (once)
ROOT        ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
PACKAGING   := $(ROOT)/packaging
LINUX_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl
VERSION     := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -1)
# The release tools' virtualenv (zig, cargo-zigbuild, maturin, auditwheel).
TOOLS_VENV  := $(PACKAGING)/.venv
TOOLS_BIN   := $(TOOLS_VENV)/bin
# The arm64 Debian root that the aarch64 builds run in under qemu-aarch64-static.
ARM64_ROOT  := $(PACKAGING)/build/arm64-root
# cargo-zigbuild's target: glibc builds carry the glibc version to link against.
zig_target   = $(if $(findstring -gnu,$(1)),$(1).2.17,$(1))
# A cdylib for musl must link libc dynamically (Rust's musl targets default to static).
musl_flags   = $(if $(findstring -musl,$(1)),-C target-feature=-crt-static)
# The release build of some crates for one target, in target/<target>/dist/.
#   $(call zigbuild,<target>,<cargo -p flags>)
zigbuild     = PATH=$(TOOLS_BIN):$$PATH RUSTFLAGS="$(call musl_flags,$(1))" \
               cargo zigbuild --locked --profile dist --target $(call zig_target,$(1)) $(2)

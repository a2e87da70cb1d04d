# mailwright: the two commands users and CI rely on.
#   make demo   build the SendCloud inline-image example, write it to out/, print a summary
#   make test   build everything and run every test of every language
# Each folder has its own Makefile; this one only delegates.

.PHONY: demo test lint bench check-toolchain dist test-dist

demo: check-toolchain
	$(MAKE) -C examples demo

test: check-toolchain lint
	# Every crate with every feature at once: features only add (host-idna
	# takes effect on wasm32 alone), so Rust users and docs builders can turn
	# them all on.
	cargo test --locked --workspace --all-features
	$(MAKE) -C core test
	$(MAKE) -C cli test
	$(MAKE) -C bindings-python test
	$(MAKE) -C bindings-c test
	$(MAKE) -C bindings-wasm test
	$(MAKE) -C bindings-java test
	$(MAKE) -C examples test

# Formatting and lints for every crate of the workspace (the C and Java
# warning gates run inside their own test targets).
lint: check-toolchain
	rustup component add rustfmt clippy
	cargo fmt --all --check
	cargo clippy --locked --workspace --all-targets -- -D warnings
	# The core's docs as docs.rs builds them (every public item documented:
	# missing_docs is denied in core/src/lib.rs; no broken link), and both
	# crates packaged and built from their packages as the registry would.
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --all-features -p mailwright
	# (cargo unpacks the packaged core for the CLI's check once per version
	# and reuses it: an unpacking of an earlier tree would be checked instead.)
	rm -rf $${CARGO_HOME:-$$HOME/.cargo}/registry/src/-*/mailwright-[0-9]*
	cargo publish --dry-run --locked --allow-dirty -p mailwright -p mailwright-cli

# Release artifacts and their slower tests (kept out of make test; see
# "Install" in the README): wheels, the jar with every native, the C
# archives, the npm tarball (Linux built and tested; macOS and Windows
# cross-built, checked, not run); make dist copies them all into dist/.
DIST_BINDINGS := bindings-python bindings-c bindings-java bindings-wasm

dist: check-toolchain
	$(MAKE) -C packaging tools
	for b in $(DIST_BINDINGS); do $(MAKE) -C $$b dist || exit 1; done
	$(MAKE) -C bindings-python dist-other
	rm -rf dist && mkdir -p dist
	for d in bindings-python/dist bindings-c/dist bindings-java/dist bindings-wasm/dist; do \
	  ls $$d/* >/dev/null 2>&1 || { echo "$$d is empty" >&2; exit 1; }; cp $$d/* dist/; done
	cd dist && sha256sum * > SHA256SUMS && ls -l

test-dist: check-toolchain
	$(MAKE) -C packaging tools arm64-root
	@start=$$(date +%s); for b in $(DIST_BINDINGS); do $(MAKE) -C $$b test-dist || exit 1; done; \
	  echo "make test-dist: $$(( $$(date +%s) - start )) s"

bench: check-toolchain
	$(MAKE) -C core bench
	$(MAKE) -C benches bench
	$(MAKE) -C bindings-python bench
	$(MAKE) -C bindings-java bench

# Installs a Rust toolchain through rustup when cargo is missing (a fresh machine).
check-toolchain:
	@command -v cargo >/dev/null 2>&1 || [ -x "$$HOME/.cargo/bin/cargo" ] || \
	  (echo "cargo not found: installing the stable toolchain with rustup" && rustup toolchain install stable --profile minimal)

# tmplkit — build, test, install.  `make check` and `make demo` install missing build
# dependencies first (see `deps`), so on a fresh Debian machine they are all the set-up.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man/man1
DATADIR    ?= $(PREFIX)/share/tmplkit
DESTDIR    ?=
CONFORMANCE ?= ../shared/conformance

CC         ?= cc
PKGS       := yaml-0.1 libpcre2-8
DEB_PKGS   := libyaml-dev libpcre2-dev pkg-config
OPT        ?= -O2 -g
WARN       := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib $(WARN) $(OPT)
# Recursively expanded on purpose: pkg-config is asked only when a recipe runs, after `deps`.
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(BASE_CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
# The tools are linked statically (the archives ship in the -dev packages): a process then
# starts without loading and relocating shared libraries, which is most of a tool's time
# on a small config, and one file copied to an air-gapped machine runs there.
# LINK_MODE= links libc dynamically (the sanitizer build needs that), libyaml and PCRE2
# still statically.
LINK_MODE  ?= -static
ALL_LDFLAGS = $(LINK_MODE) $(EXTRA_LDFLAGS) $(LDFLAGS)
ifeq ($(LINK_MODE),-static)
LIBS_LINK   = $(PKG_LIBS) -lm
else
LIBS_LINK   = -Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic -lm
endif

B          ?= build
TOOLS      := config-validate tmpl-apply menderconf-dual menderconf-final
LIB_SRC    := $(sort $(wildcard lib/*/*.c))
LIB_HDR    := $(sort $(wildcard lib/*/*.h))
LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
RULE_FILES := $(sort $(wildcard rules/*.yaml rules/*/*.yaml rules/*.txt))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
CONF_BIN   := $(patsubst tests/conformance/%.c,$(B)/tests/%,$(wildcard tests/conformance/conf_*.c))
BINS       := $(TOOLS:%=$(B)/bin/%)

.SECONDARY:

.PHONY: all build deps check test unit golden conformance check-asan demo bench install \
        uninstall clean static valgrind

all: deps
	@$(MAKE) --no-print-directory build

build: $(BINS) $(UNIT_BIN) $(CONF_BIN)

# Installs the build dependencies when they are missing: with apt-get as root,
# otherwise prints the command to run and fails.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists $(PKGS) \
	    && command -v $(firstword $(CC)) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "deps: installing $(DEB_PKGS)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc make libc6-dev $(DEB_PKGS) >/dev/null; \
	else \
	    echo "deps: missing build dependencies; run:"; \
	    echo "  sudo apt-get install gcc make libc6-dev $(DEB_PKGS)"; \
	    exit 1; \
	fi

$(B)/lib/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Every file under rules/ is compiled in (see lib/rules/embedded.h): installed and static
# binaries need no data files. YAML is stored as compact JSON (tools/embed.c).
# The converter links only the layers below lib/rules/ (it runs before the rules exist).
EMBED_LIB  := $(filter lib/base/% lib/json/% lib/query/%,$(LIB_SRC))
$(B)/gen/embed: tools/embed.c $(EMBED_LIB) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) tools/embed.c $(EMBED_LIB) $(LIBS_LINK) -o $@

$(B)/gen/embedded.c: $(RULE_FILES) $(B)/gen/embed
	$(B)/gen/embed $@ $(RULE_FILES)

$(B)/gen/embedded.o: $(B)/gen/embedded.c lib/rules/embedded.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libtmplkit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tools/%.o: tools/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/bin/%: $(B)/tools/%.o $(B)/libtmplkit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $^ $(LIBS_LINK) -o $@

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libtmplkit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(B)/libtmplkit.a $(LIBS_LINK) -o $@

$(B)/tests/conf_%: tests/conformance/conf_%.c $(B)/libtmplkit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(B)/libtmplkit.a $(LIBS_LINK) -o $@

check: deps
	@$(MAKE) --no-print-directory build
	@B=$(B) CONFORMANCE=$(CONFORMANCE) sh tests/run-all.sh

# The same suites, built and run under AddressSanitizer and UBSan.
check-asan: deps
	@$(MAKE) --no-print-directory B=build-asan LINK_MODE= OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" build
	@B=build-asan CONFORMANCE=$(CONFORMANCE) ASAN_OPTIONS=detect_leaks=1 sh tests/run-all.sh

# The unit tests under valgrind's memcheck (linked with a shared libc, whose allocator
# memcheck replaces).
valgrind: deps
	@$(MAKE) --no-print-directory B=build-valgrind LINK_MODE= build
	@B=build-valgrind VALGRIND=1 sh tests/run-unit.sh

test: build
	@B=$(B) CONFORMANCE=$(CONFORMANCE) sh tests/run-all.sh

conformance: deps
	@$(MAKE) --no-print-directory build
	@B=$(B) CONFORMANCE=$(CONFORMANCE) sh tests/run-conformance.sh

demo: deps
	@$(MAKE) --no-print-directory build
	@B=$(B) sh tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory build
	@B=$(B) sh tests/bench/run.sh

# Statically linked binaries for air-gapped machines: copy one file, run it. (The default
# build is static too; this target keeps them apart, in build-static/bin.)
static: deps
	@$(MAKE) --no-print-directory B=build-static LINK_MODE=-static build
	@for t in $(TOOLS); do file build-static/bin/$$t 2>/dev/null || ls -l build-static/bin/$$t; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DATADIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(TOOLS:%=tools/%.1) $(DESTDIR)$(MANDIR)
	cp -R rules/. $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(MANDIR)/%.1)
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-static build-valgrind

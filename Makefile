# tmplkit — build, test, install.  `make check` and `make demo` install missing build
# dependencies first (see `deps`), so on a fresh Debian machine they are all the set-up.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man/man1
DATADIR    ?= $(PREFIX)/share/tmplkit
DESTDIR    ?=
CONFORMANCE ?= ../shared/conformance

# The one place the version comes from: the newest vX.Y.Z tag git describes, else this line.
VERSION_LINE := 0.1.0
VERSION    ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' 2>/dev/null) && echo "$${v\#v}" | tr - + || echo $(VERSION_LINE))

CC         ?= cc
PKGS       := yaml-0.1 libpcre2-8
DEB_PKGS   := libyaml-dev libpcre2-dev pkg-config
# Test-only dependencies: the real Mender tools (the Go client, 3.x, and mender-artifact)
# are the oracles of the differential and update-module tests; shellcheck, dash and busybox
# check the update module; lintian the Debian package; pre-commit the hooks. The SARIF test
# installs Microsoft's SARIF Multitool from npm itself. A test whose dependency is missing
# skips with a message.
OPT        ?= -O2 -g
WARN       := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -DTMPLKIT_VERSION='"$(VERSION)"' $(WARN) $(OPT)
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
TOOLS      := config-validate tmpl-apply menderconf-dual menderconf-final menderconf-artifact endpoint-audit tmpl-scrub tmpl-inject-keys tmpl-relocate
LIB_SRC    := $(sort $(wildcard lib/*/*.c))
LIB_HDR    := $(sort $(wildcard lib/*/*.h))
LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
RULE_FILES := $(sort $(wildcard rules/*.yaml rules/*/*.yaml rules/*.txt rules/modules/*))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
CONF_BIN   := $(patsubst tests/conformance/%.c,$(B)/tests/%,$(wildcard tests/conformance/conf_*.c))
BINS       := $(TOOLS:%=$(B)/bin/%)

.SECONDARY:

.PHONY: all build deps test-deps differential deb fuzz check test unit golden conformance check-asan demo bench install \
        uninstall clean static valgrind

all: deps
	@$(MAKE) --no-print-directory build

COMPLETIONS := $(TOOLS:%=$(B)/share/bash-completion/completions/%)
build: $(BINS) $(UNIT_BIN) $(CONF_BIN) $(COMPLETIONS)

# bash completion, generated from each tool's --help (the same tables it parses with).
$(B)/share/bash-completion/completions/%: $(B)/bin/% tools/completion.sh
	@sh tools/completion.sh $(B)/bin $(@D) $*

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

$(B)/gen/embedded.c: $(RULE_FILES) $(B)/gen/embed Makefile
	$(B)/gen/embed $@ $(RULE_FILES)

$(B)/gen/embedded.o: $(B)/gen/embedded.c lib/rules/embedded.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libtmplkit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tools/%.o: tools/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# No tool is linked before every rule file and schema under rules/ passed the check its
# tools would make at run time (tools/rulecheck.c): a broken rule file fails the build.
$(B)/bin/%: $(B)/tools/%.o $(B)/libtmplkit.a $(B)/gen/rules.checked
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(B)/tools/$*.o $(B)/libtmplkit.a $(LIBS_LINK) -o $@

# Each tool built on tool_main compiled once more without main(), to give rulecheck its spec.
SPEC_TOOLS := $(filter-out config-validate menderconf-artifact,$(TOOLS))
$(B)/gen/spec-%.o: tools/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTK_SPEC_ONLY -c $< -o $@

$(B)/gen/specs.c: Makefile
	@mkdir -p $(@D)
	@{ echo '/* generated by the Makefile from TOOLS: do not edit */'; echo '#include "app/tool.h"'; \
	  for t in $(subst -,_,$(SPEC_TOOLS)); do echo "extern const tool_spec *const tool_spec_$$t;"; done; \
	  printf 'const tool_spec *const *const rulecheck_specs[] = {'; \
	  for t in $(subst -,_,$(SPEC_TOOLS)); do printf '&tool_spec_%s, ' $$t; done; echo '0};'; } > $@

$(B)/gen/rulecheck: tools/rulecheck.c $(B)/gen/specs.c $(SPEC_TOOLS:%=$(B)/gen/spec-%.o) $(B)/libtmplkit.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) tools/rulecheck.c $(B)/gen/specs.c $(SPEC_TOOLS:%=$(B)/gen/spec-%.o) \
	    $(B)/libtmplkit.a $(LIBS_LINK) -o $@

RULE_TOOL_FILES := $(sort $(wildcard rules/*.yaml))
RULE_SCHEMAS    := $(sort $(wildcard rules/schemas/*.yaml))
$(B)/gen/rules.checked: $(B)/gen/rulecheck $(RULE_TOOL_FILES) $(RULE_SCHEMAS)
	$(B)/gen/rulecheck $(RULE_TOOL_FILES) --schema $(RULE_SCHEMAS)
	@touch $@

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libtmplkit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(B)/libtmplkit.a $(LIBS_LINK) -o $@

$(B)/tests/conf_%: tests/conformance/conf_%.c $(B)/libtmplkit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(B)/libtmplkit.a $(LIBS_LINK) -o $@

# Installs the test-only packages when they are missing and this runs as root; otherwise
# says which tests will skip. Never fails the build.
test-deps:
	@missing=""; command -v mender >/dev/null 2>&1 || missing="$$missing mender-client"; \
	command -v mender-artifact >/dev/null 2>&1 || missing="$$missing mender-artifact"; \
	command -v shellcheck >/dev/null 2>&1 || missing="$$missing shellcheck"; \
	command -v dash >/dev/null 2>&1 || missing="$$missing dash"; \
	command -v busybox >/dev/null 2>&1 || missing="$$missing busybox"; \
	command -v lintian >/dev/null 2>&1 || missing="$$missing lintian"; \
	command -v pre-commit >/dev/null 2>&1 || missing="$$missing pre-commit"; \
	command -v valgrind >/dev/null 2>&1 || missing="$$missing valgrind"; \
	command -v jq >/dev/null 2>&1 || missing="$$missing jq"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "test-deps: installing$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1; } || \
	    echo "test-deps: could not install$$missing: the tests that need it will skip"; \
	else \
	    echo "test-deps: missing$$missing (sudo apt-get install$$missing): the tests that need it will skip"; \
	fi

# The differential test against the real Mender client on N generated configs.
N    ?= 3000
SEED ?= 20261123
differential: deps test-deps
	@$(MAKE) --no-print-directory build
	@B=$(B) sh tests/differential/run.sh $(N) $(SEED)

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang against the lib sources under
# ASan and UBSan, seeded from testdata/; each runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_LIB     := $(filter lib/base/% lib/json/%,$(LIB_SRC))
# The template tools' harness runs them whole: every layer, the compiled-in rules, and the
# tools' own files without main() (TK_SPEC_ONLY); PCRE2 and libyaml as shared libraries, so
# that ASan sees into them through their calls.
FUZZ_TOOLS   := endpoint-audit tmpl-scrub tmpl-relocate tmpl-inject-keys menderconf-dual menderconf-final \
                tmpl-apply menderconf-artifact
FUZZ_TOOLS_LIB = $(LIB_SRC) $(B)/gen/embedded.c -DTK_SPEC_ONLY $(FUZZ_TOOLS:%=tools/%.c)
fuzz: deps
	@command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang)"; exit 5; }
	@mkdir -p $(B)/fuzz/corpus
	@find testdata rules tests/engine -name '*.json' -size -20k -o -name '*.yaml' -size -20k | while read -r f; do \
	    cp "$$f" "$(B)/fuzz/corpus/$$(echo "$$f" | tr '/ ' '__')"; done
	@if [ -d "$(CONFORMANCE)/JSONTestSuite/test_parsing" ]; then \
	    cp "$(CONFORMANCE)"/JSONTestSuite/test_parsing/y_*.json $(B)/fuzz/corpus/ 2>/dev/null; \
	    cp "$(CONFORMANCE)"/JSONTestSuite/test_parsing/n_*.json $(B)/fuzz/corpus/ 2>/dev/null; true; fi
	@$(MAKE) --no-print-directory $(B)/gen/embedded.c
	@for h in tests/fuzz/fuzz_*.c; do n=$$(basename $$h .c); \
	    case $$n in fuzz_jsonpath) dict=jsonpath ;; fuzz_rules) dict=yaml ;; *) dict=json ;; esac; \
	    case $$n in \
	    fuzz_json_edit) extra="$(FUZZ_LIB)" ;; \
	    fuzz_template_tools) extra="$(FUZZ_TOOLS_LIB) -lyaml -lpcre2-8 -lm" ;; \
	    *) extra="$(LIB_SRC) $(B)/gen/embedded.c -lyaml -lpcre2-8 -lm" ;; \
	    esac; \
	    clang -O1 -g -fsanitize=fuzzer,address,undefined -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib \
	        -DJSON_PACK_MIN=1 \
	        -DTMPLKIT_VERSION='"$(VERSION)"' $$h $$extra -o $(B)/fuzz/$$n || exit 1; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    $(B)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -dict=tests/fuzz/$$dict.dict $(B)/fuzz/corpus \
	        > $(B)/fuzz/$$n.log 2>&1; \
	    rc=$$?; tail -1 $(B)/fuzz/$$n.log; \
	    [ $$rc = 0 ] || { echo "fuzz: $$n found a failure (exit $$rc):"; tail -40 $(B)/fuzz/$$n.log; exit 1; }; \
	done

# build-packed: the same tools with every array and object of scalars packed (JSON_PACK_MIN=1, where
# 16 is the real threshold), for the golden tests once more: packing must never show.
check: deps test-deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory B=build-packed EXTRA_CFLAGS=-DJSON_PACK_MIN=1 build
	@B=$(B) PACKED_B=build-packed CONFORMANCE=$(CONFORMANCE) sh tests/run-all.sh

# The same suites, built and run under AddressSanitizer and UBSan.
check-asan: deps test-deps
	@$(MAKE) --no-print-directory B=build-asan LINK_MODE= OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" build
	@B=build-asan CONFORMANCE=$(CONFORMANCE) ASAN_OPTIONS=detect_leaks=1 sh tests/run-all.sh

# The unit tests under valgrind's memcheck (linked with a shared libc, whose allocator
# memcheck replaces).
valgrind: deps test-deps
	@command -v valgrind >/dev/null || { echo "valgrind: not installed: 0 passed, 0 failed, 1 skipped"; exit 0; }
	@$(MAKE) --no-print-directory B=build-valgrind LINK_MODE= build
	@B=build-valgrind sh tests/run-valgrind.sh

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

COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 $(COMPLETIONS) $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for t in $(TOOLS); do sed 's/"tmplkit [0-9][^"]*"/"tmplkit $(VERSION)"/' tools/$$t.1 > $(DESTDIR)$(MANDIR)/$$t.1; \
	    chmod 644 $(DESTDIR)$(MANDIR)/$$t.1; done
	cp -R rules/. $(DESTDIR)$(DATADIR)/
	chmod 755 $(DESTDIR)$(DATADIR)/modules/menderconf

# A Debian package from a staging install: binaries, gzipped man pages, completion, the
# rules for reference, the Mender update module where the module Artifact puts it, and
# /usr/share/doc/tmplkit with copyright and changelog.
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB      = $(B)/tmplkit_$(VERSION)_$(DEB_ARCH).deb
deb: all
	@command -v dpkg-deb >/dev/null || { echo "deb: dpkg-deb is missing (apt-get install dpkg)"; exit 5; }
	rm -rf $(B)/deb
	@$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(B)/deb PREFIX=/usr
	gzip -9n $(B)/deb/usr/share/man/man1/*.1
	install -d $(B)/deb/usr/share/doc/tmplkit $(B)/deb/usr/share/mender/modules/v3 $(B)/deb/DEBIAN
	install -m 644 tools/deb/copyright $(B)/deb/usr/share/doc/tmplkit/copyright
	sed 's/@VERSION@/$(VERSION)/' tools/deb/changelog | gzip -9n > $(B)/deb/usr/share/doc/tmplkit/changelog.gz
	chmod 644 $(B)/deb/usr/share/doc/tmplkit/changelog.gz
	install -m 755 rules/modules/menderconf $(B)/deb/usr/share/mender/modules/v3/menderconf
	install -d $(B)/deb/usr/share/lintian/overrides
	install -m 644 tools/deb/lintian-overrides $(B)/deb/usr/share/lintian/overrides/tmplkit
	strip --strip-unneeded $(B)/deb/usr/bin/*
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
	    -e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(B)/deb | cut -f1)/" tools/deb/control > $(B)/deb/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(B)/deb $(DEB)

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(MANDIR)/%.1) $(TOOLS:%=$(DESTDIR)$(COMPLETIONDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-static build-valgrind

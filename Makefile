# pg_media - media files kept inside PostgreSQL.  Built with PGXS.
#
#   make && make install     build and install the extension (make install also installs the
#                            command-line tool when libpq-dev and libmicrohttpd-dev are present;
#                            WITH_CLI=no skips it, WITH_CLI=yes requires it)
#   make cli / install-cli   build / install the command-line tool only
#   make install-all         the extension and the tool
#   make demo                set up everything on a fresh Debian 12 (as root) and show it working
#   make test                every test; ends with "N passed, N failed" (STAGES="regress tap" runs
#                            some stages only; see test/run-all.sh)
#   make unit | sanitize | quality | regress | tap | package | fuzz   one stage of make test
#   make installcheck        pg_regress and the TAP tests (test/t) against an installed server
#   make bench               benchmarks, written to bench/results.md

EXTENSION    = pg_media
EXTVERSION   = 0.2.0
MODULE_big   = pg_media
DATA_built   = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA         = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql)) $(wildcard sql/$(EXTENSION)--*.control)
# the router database of pg_media shards (issue 16): a second extension, CREATE EXTENSION pg_media_router
DATA        += sql/router/pg_media_router.control $(wildcard sql/router/pg_media_router--*.sql)
DOCS         = README.md
EXTRA_CLEAN  = $(DATA_built)

CORE_OBJS    = $(patsubst %.c,%.o,$(wildcard src/core/*/*.c))
GLUE_OBJS    = src/pg_media.o src/spi_util.o src/storage.o src/blobs.o src/chunks.o src/limits.o src/ingest.o src/upload.o src/read.o \
               src/http.o src/maint.o src/base64_sql.o src/probe_sql.o src/security.o src/compress_sql.o src/thumbnail.o src/transform.o src/http_variant.o \
               src/derivatives.o src/core_hooks.o src/placeholder.o src/poster.o src/sign_url.o \
               src/release.o src/shard.o
OBJS         = $(GLUE_OBJS) $(CORE_OBJS)

PG_CPPFLAGS  = -I$(srcdir)/src -I$(srcdir)/src/core
include $(dir $(lastword $(MAKEFILE_LIST)))src/core/libs.mk
SHLIB_LINK   = $(CORE_LIBS)

REGRESS      = install put_get upload base64 http remove_verify security isolation quarantine privacy probe compress thumbnail formats_webp_tiff formats_heif transform http_range http_variant placeholder poster sign_url shard
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)
TAP_TESTS    = 1

PG_CONFIG   ?= pg_config
PGXS        := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script is built from its source; released scripts (sql/pg_media--0.1.0.sql) and
# upgrade scripts (sql/pg_media--A--B.sql) are installed as they are and never edited again.
$(DATA_built): sql/$(EXTENSION).sql
	cp $< $@

# The control file's default_version must name the version this Makefile builds.
CONTROL_VERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(srcdir)/$(EXTENSION).control)
ifneq ($(CONTROL_VERSION),$(EXTVERSION))
$(error $(EXTENSION).control says default_version '$(CONTROL_VERSION)' but the Makefile builds $(EXTVERSION))
endif

# PGXS does not track header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h src/core/*/*.h)

# The pure-C core is plain C99 code; keep it free of PostgreSQL headers: its
# objects are compiled without PostgreSQL's include paths, and the build stops
# first if a core file names a PostgreSQL header (test/unit's core-boundary).
src/core/%.o: override CPPFLAGS := -I$(srcdir)/src/core $(filter-out -I%,$(CPPFLAGS))
$(CORE_OBJS): | core-boundary
core-boundary:
	@$(MAKE) -s --no-print-directory -C $(srcdir)/test/unit core-boundary
.PHONY: core-boundary

# make installcheck runs the TAP tests of test/t (PGXS would look in t/), as the postgres user
# when run as root; PROVE_TESTS="test/t/050_cli.pl ..." restricts the list.
prove_installcheck = PROVE_TESTS='$(PROVE_TESTS)' $(srcdir)/test/tap.sh

# The command-line tool (cli/) needs libpq and libmicrohttpd, which the extension does not.
WITH_CLI ?= auto
CLI_DEPS_FOUND := $(shell test -f "$$($(PG_CONFIG) --includedir)/libpq-fe.h" && \
                          pkg-config --exists libmicrohttpd 2>/dev/null && echo yes)
.PHONY: cli install-cli uninstall-cli clean-cli install-all
cli:
	$(MAKE) -C cli PG_CONFIG=$(PG_CONFIG)
install-cli: cli
	$(MAKE) -C cli install PG_CONFIG=$(PG_CONFIG)
uninstall-cli:
	$(MAKE) -C cli uninstall PG_CONFIG=$(PG_CONFIG)
clean-cli:
	$(MAKE) -C cli clean
install-all: install install-cli
clean: clean-cli
ifeq ($(WITH_CLI),yes)
install: install-cli
uninstall: uninstall-cli
else ifeq ($(WITH_CLI)$(CLI_DEPS_FOUND),autoyes)
install: install-cli
uninstall: uninstall-cli
else ifeq ($(WITH_CLI),auto)
install: cli-skipped
.PHONY: cli-skipped
cli-skipped:
	@echo "pg_media: the command-line tool was not installed (it needs libpq-dev and libmicrohttpd-dev); the extension was"
endif

# Stages of make test, one at a time (test/run-all.sh runs them in this order).
.PHONY: demo test test-scale bench fuzz sanitize unit quality regress tap package
demo:
	./scripts/demo.sh
test:
	./test/run-all.sh $(STAGES)
unit quality:
	./test/run-all.sh $@
regress tap package:
	./test/run-all.sh build $@
# the multi-node tests (pg_auto_failover, replicas, PL/Proxy shards); .ci/run runs them after make test
test-scale:
	./test/run-all.sh build scale
sanitize:
	./test/run-all.sh unit-san
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-120} ./test/run-all.sh fuzz
bench:
	./bench/run.sh

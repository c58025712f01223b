# pg_media - media files kept inside PostgreSQL.  Built with PGXS.
#
#   make && make install     build and install the extension
#   make demo                set up everything on a fresh Debian 12 (as root) and show it working
#   make test                unit tests, pg_regress, TAP tests; ends with "N passed, N failed"
#   make bench               benchmarks, written to bench/results.md
#   make fuzz                run every libFuzzer harness for FUZZ_SECONDS (default 120)
#   make sanitize            core unit tests and fuzz harnesses under ASan + UBSan

EXTENSION    = pg_media
MODULE_big   = pg_media
DATA         = $(wildcard pg_media--*.sql)
DOCS         = README.md

CORE_OBJS    = $(patsubst %.c,%.o,$(wildcard src/core/*/*.c))
GLUE_OBJS    = src/pg_media.o src/storage.o src/chunks.o src/ingest.o src/upload.o src/read.o \
               src/http.o src/maint.o src/base64_sql.o src/probe_sql.o src/security.o src/compress_sql.o src/thumbnail.o src/transform.o
OBJS         = $(GLUE_OBJS) $(CORE_OBJS)

PG_CPPFLAGS  = -I$(srcdir)/src -I$(srcdir)/src/core
SHLIB_LINK   = -lpng -ljpeg -lz

REGRESS      = install put_get upload base64 http remove_verify security isolation quarantine privacy probe compress thumbnail
REGRESS_OPTS = --load-extension=pg_media
TAP_TESTS    = 1

PG_CONFIG   ?= pg_config
PGXS        := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The command-line tool (cli/) is built and installed with the extension.
all: cli/pg_media
cli/pg_media: $(wildcard cli/*.c cli/*.h) src/core/util/name.c src/core/util/http.c src/core/util/sha256.c
	$(MAKE) -C cli
install: install-cli
install-cli: cli/pg_media
	$(MAKE) -C cli install
clean: clean-cli
clean-cli:
	$(MAKE) -C cli clean
.PHONY: install-cli clean-cli

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

.PHONY: demo test bench fuzz sanitize unit
demo:
	./scripts/demo.sh
test:
	./test/run-all.sh
bench:
	./bench/run.sh
fuzz:
	$(MAKE) -C test/fuzz run SECONDS=$${FUZZ_SECONDS:-120}
sanitize:
	$(MAKE) -C test/unit run SANITIZE=1
	$(MAKE) -C test/fuzz run SECONDS=$${FUZZ_SECONDS:-30}
unit:
	$(MAKE) -C test/unit run

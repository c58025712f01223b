# src/core/libs.mk - the libraries the pure-C core links against, in one place for the
# extension (Makefile), the unit tests, the fuzz harnesses and the benchmarks.
CORE_LIBS := -lpng -ljpeg -lz -lwebpdemux -lwebp -ltiff -lheif -ljxl -lavformat -lavcodec -lswscale -lavutil -llcms2

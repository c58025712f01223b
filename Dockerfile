# pg_media on the official PostgreSQL image.
#   docker build -t pg_media .
#   docker run -d -e POSTGRES_PASSWORD=secret -v pgdata:/var/lib/postgresql/data pg_media
# The build uses scripts/install-deps.sh, the same script `make test` and CI
# run, then removes the build-only packages again.
ARG PG_MAJOR=15
FROM postgres:${PG_MAJOR}-bookworm
ARG PG_MAJOR

COPY . /tmp/pg_media
RUN set -eux; \
    cd /tmp/pg_media; \
    apt-get update; \
    PGMAJOR=${PG_MAJOR} ./scripts/install-deps.sh build; \
    make clean; make -j"$(nproc)"; make install; \
    apt-get purge -y --auto-remove gcc libc6-dev make pkg-config postgresql-server-dev-${PG_MAJOR} \
        libpq-dev libmicrohttpd-dev; \
    apt-get install -y --no-install-recommends libpng16-16 libjpeg62-turbo zlib1g libwebp7 libwebpdemux2 libtiff6 libheif1 libjxl0.7 liblcms2-2 \
        libavformat59 libavcodec59 libavutil57 libswscale6 libpq5 libmicrohttpd12; \
    rm -rf /var/lib/apt/lists/* /tmp/pg_media

# pg_media must be preloaded (its superuser-only settings are otherwise open to any client's
# connection options): initdb copies this sample into every new data directory.
RUN printf "\nshared_preload_libraries = 'pg_media'\n" >>/usr/share/postgresql/postgresql.conf.sample

# Creates the extension in the default database on first start.  The file is in the repository
# (docker/initdb/) so the backup test restores into a database made by exactly this init.
COPY docker/initdb/10-pg_media.sql /docker-entrypoint-initdb.d/10-pg_media.sql

VOLUME /var/lib/postgresql/data

#!/bin/sh
# A throwaway PostgreSQL cluster for the demo and the tests.
#
#   scripts/cluster.sh start DIR PORT   initdb (as the postgres user when run as root) and start
#   scripts/cluster.sh stop DIR
#
# PostgreSQL refuses to run as root, so as root the server runs as "postgres".
# The socket lives in DIR; connect with  psql -h DIR -p PORT -U postgres.
set -eu

cmd=$1
dir=$2
bindir=$(pg_config --bindir)

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  port=$3
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
shared_buffers = 128MB
log_min_messages = warning
shared_preload_libraries = 'pg_media'
CONF
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
  ;;
esac

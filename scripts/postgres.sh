#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and CI, bound to 127.0.0.1 on a free port.
#
#   scripts/postgres.sh install       install PostgreSQL with apt-get when it is missing
#   scripts/postgres.sh bindir        print the directory of initdb/pg_ctl (exit 1 if none)
#   scripts/postgres.sh start <dir>   initdb + start a cluster in <dir>, print its DATABASE_URL
#   scripts/postgres.sh stop <dir>    stop the cluster in <dir>
#
# initdb refuses to run as root, so as root the cluster is owned by the `postgres` user.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] || die "PG_BIN=$PG_BIN has no initdb"
    echo "$PG_BIN"; return
  fi
  local dir
  # Debian keeps server binaries out of PATH, one directory per major version: take the newest.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return; }
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"; return
  fi
  return 1
}

# Runs a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

cmd_install() {
  if bindir >/dev/null; then echo "PostgreSQL is installed ($(bindir))" >&2; return; fi
  [[ $(id -u) -eq 0 ]] || die "install needs root (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir >/dev/null || die "PostgreSQL binaries not found after install"
}

cmd_start() {
  local dir=${1:?usage: postgres.sh start <dir>}
  local bin port
  bin=$(bindir) || die "PostgreSQL binaries not found (run: scripts/postgres.sh install)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ -e "$dir/data/PG_VERSION" ]] && die "$dir already holds a cluster"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no postgres user to own the cluster"
    chown postgres "$dir"
    as_owner test -w "$dir" ||
      die "user postgres cannot reach $dir (a parent is not traversable): use a directory under /tmp"
  fi
  port=$(free_port)
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

cmd_stop() {
  local dir=${1:?usage: postgres.sh stop <dir>}
  local bin
  bin=$(bindir) || die "PostgreSQL binaries not found"
  [[ -e "$dir/data/postmaster.pid" ]] || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
  install) cmd_install ;;
  bindir) bindir ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  *) die "usage: postgres.sh install | bindir | start <dir> | stop <dir>" ;;
esac

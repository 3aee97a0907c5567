#!/usr/bin/env bash
# Sourced by test.sh: throw-away PostgreSQL servers on loopback for the tests that run on
# both stores. Debian's package is installed when missing; each cluster lives in a
# temporary folder, listens on 127.0.0.1 only, asks for a password (scram-sha-256, as a real
# server does), and is stopped and removed when the shell exits.
# Exports QDA_TEST_PG_URL (with the password in it) and QDA_TEST_PG_CTL (pg_ctl for it), and
# QDA_TEST_PG_RESTART_URL / QDA_TEST_PG_RESTART_CTL: a second server, for the test that
# restarts and stops its server under coders (tests/test_restart.py), so that the tests
# running beside it on another worker keep theirs.
if [ -z "${QDA_TEST_PG_URL:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pgbin" ]; then
    echo "Installing postgresql from Debian …"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)     # initdb refuses to run as root
  pgpass=$(python3 -c 'import secrets; print(secrets.token_hex(12))')   # one for both
  qda_pg_dirs=()
  trap 'for d in "${qda_pg_dirs[@]}"; do "${as[@]}" "$pgbin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$d"; done' EXIT

  qda_pg_start() {    # $1: the prefix of the two variables to export
    local pgdir pgport
    pgdir=$(mktemp -d /tmp/qda-pg.XXXXXX)
    qda_pg_dirs+=("$pgdir")
    [ "$(id -u)" -eq 0 ] && chown postgres "$pgdir"
    pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '%s\n' "$pgpass" > "$pgdir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pgdir/pwfile"
    "${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U qda --auth=scram-sha-256 \
      --pwfile="$pgdir/pwfile" -E UTF8 --no-locale >/dev/null
    rm -f "$pgdir/pwfile"
    "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdir -c max_connections=200" start \
      >/dev/null
    export "$1_URL=postgresql+psycopg://qda:$pgpass@127.0.0.1:$pgport/postgres"
    export "$1_CTL=${as[*]} $pgbin/pg_ctl -D $pgdir/data -l $pgdir/log"
    echo "PostgreSQL for the tests: 127.0.0.1:$pgport (throw-away, in $pgdir)"
  }
  qda_pg_start QDA_TEST_PG
  qda_pg_start QDA_TEST_PG_RESTART
fi

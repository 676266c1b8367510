# Project-local PostgreSQL clusters (no Docker): init, start, stop, and building a database the way hosted
# Supabase gets one (platform, then the migrations through the real CLI). Sourced by scripts/db and friends.
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# NIKITA_PORT_OFFSET shifts every local port, so two checkouts can run their clusters side by side.
PORT_OFFSET="${NIKITA_PORT_OFFSET:-0}"
DEV_DIR="$root/.local/db"
DEV_PORT=$((54322 + PORT_OFFSET))
# The functions gateway of the local runtime (scripts/local/env.ts shifts it the same way).
GATEWAY_PORT=$((54321 + PORT_OFFSET))
TEST_DIR="$root/.local/test-db"
TEST_PORT=$((54330 + PORT_OFFSET))
PLATFORM_SQL="$root/scripts/sql/platform.sql"

# Postgres refuses to run as root; as root, clusters belong to the `postgres` system user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

db_url() { echo "postgresql://postgres@127.0.0.1:$1/${2:-postgres}"; }

psql_at() { # port, then psql arguments
  local port="$1"; shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

# The cluster user must be able to reach the data folder: as root in a fresh clone under a private temp
# folder, grant traverse (x only, never read) on the ancestors that lack it.
ensure_reachable() {
  [ "$(id -u)" -eq 0 ] || return 0
  local d="$1"
  while [ "$d" != "/" ]; do
    runuser -u postgres -- test -x "$d" 2>/dev/null || chmod o+x "$d"
    d="$(dirname "$d")"
  done
}

cluster_running() { [ -f "$1/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

cluster_init() { # dir, port, [fast]
  local dir="$1" port="$2" fast="${3:-}"
  [ -f "$dir/data/PG_VERSION" ] && return 0
  mkdir -p "$dir"
  ensure_reachable "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$dir/data/postgresql.conf" <<CONF

# nikita local cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
timezone = 'UTC'
log_timezone = 'UTC'
CONF
  if [ -n "$fast" ]; then
    # Throwaway clusters (tests, diffs): durability buys nothing there.
    printf "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" >>"$dir/data/postgresql.conf"
  fi
}

cluster_start() { # dir, port, [fast]
  local dir="$1" port="$2"
  cluster_init "$@"
  cluster_running "$dir" && return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$dir/postgres.log" >&2; die "postgres on port $port did not start"; }
}

cluster_stop() {
  cluster_running "$1" || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null
}

cluster_restart() { # dir
  as_pg "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/postgres.log" -m fast -w -t 60 restart >/dev/null \
    || { tail -n 20 "$1/postgres.log" >&2; die "postgres in $1 did not restart"; }
}

# pg_cron's scheduler is the `pg_cron launcher` background worker, connected to the database cron.database_name
# names (`postgres`). Dropping that database terminates it, and pg_cron 1.4 (Debian's) then exits with status 0,
# which tells the postmaster never to start it again (later releases exit 1, to be restarted): the cluster runs on
# with no scheduler, and no job runs until a restart. So a rebuild of `postgres` restarts the cluster right after
# creating the empty database (a fraction of a second); the new scheduler waits there for CREATE EXTENSION pg_cron.
recreate_postgres_database() { # port
  local port="$1" data
  data="$(psql_at "$port" -d template1 -tAc 'show data_directory')"
  psql_at "$port" -d template1 -c 'drop database if exists postgres with (force)' -c 'create database postgres'
  cluster_restart "${data%/data}"
}

scheduler_attached() { # port
  [ "$(psql_at "$1" -d postgres -tAc "select count(*) from pg_catalog.pg_stat_activity
    where backend_type = 'pg_cron launcher' and datname = 'postgres'")" = 1 ]
}

# Fails loudly unless pg_cron's scheduler is attached to `postgres` (it starts a moment after the postmaster).
check_scheduler() { # port
  local port="$1" i
  for i in $(seq 50); do
    scheduler_attached "$port" && return 0
    sleep 0.2
  done
  die "pg_cron's scheduler is not attached to database postgres on port $port: no scheduled job would run" \
    "(see postgres.log beside the cluster's data folder)"
}

# Drop and recreate the `postgres` database, apply the platform script, then the migrations with the real CLI.
build_database() { # port
  local port="$1"
  recreate_postgres_database "$port"
  psql_at "$port" -d postgres -f "$PLATFORM_SQL"
  (cd "$root" && supabase db push --db-url "$(db_url "$port")" --yes >/dev/null 2>"$root/.local/db-push.log") \
    || { cat "$root/.local/db-push.log" >&2; die "supabase db push failed on port $port"; }
  check_scheduler "$port"
}

# Drop and recreate the `postgres` database, apply the platform script, then every file of the declarative
# schema (sql/*.sql, in name order) and its reference rows (sql/data/*.sql, in name order) in one transaction.
build_declarative() { # port
  local port="$1" args=() f
  for f in "$root"/sql/*.sql "$root"/sql/data/*.sql; do args+=(-f "$f"); done
  recreate_postgres_database "$port"
  psql_at "$port" -d postgres -f "$PLATFORM_SQL"
  psql_at "$port" -d postgres --single-transaction "${args[@]}"
}

# Two scratch clusters: one built from the migrations, one from sql/ (each needs its own `postgres` database,
# the only one pg_cron may live in).
SCRATCH_MIGRATIONS_DIR="$root/.local/scratch-migrations"
SCRATCH_MIGRATIONS_PORT=$((54340 + PORT_OFFSET))
SCRATCH_DECLARATIVE_DIR="$root/.local/scratch-declarative"
SCRATCH_DECLARATIVE_PORT=$((54341 + PORT_OFFSET))

# Prints the SQL that turns a database built from the migrations into one built from sql/ (empty: no drift).
schema_diff() {
  cluster_start "$SCRATCH_MIGRATIONS_DIR" "$SCRATCH_MIGRATIONS_PORT" fast
  cluster_start "$SCRATCH_DECLARATIVE_DIR" "$SCRATCH_DECLARATIVE_PORT" fast
  build_database "$SCRATCH_MIGRATIONS_PORT" &
  local a=$!
  # A side that failed to build would diff as "drop everything": stop instead.
  build_declarative "$SCRATCH_DECLARATIVE_PORT" >&2 || die "sql/ does not build (see the error above)"
  wait "$a" || die "the migrations do not build (see the error above)"
  supabase db diff --from "$(db_url "$SCRATCH_MIGRATIONS_PORT")" --to "$(db_url "$SCRATCH_DECLARATIVE_PORT")" \
    2>"$root/.local/db-diff.log" || { cat "$root/.local/db-diff.log" >&2; die "supabase db diff failed"; }
}

# The reference rows the drift check compares, as `table|query` (each query ordered by the table's key).
# llm_prices.updated_at is left out: it is the time the row was written.
REFERENCE_ROWS=(
  "public.chapters|select * from public.chapters order by chapter"
  "game.tunables|select name, value, unit, meaning from game.tunables order by name"
  "private.llm_prices|select model, input_per_mtok, output_per_mtok from private.llm_prices order by model"
  "cron.job|select jobname, schedule, command, active from cron.job order by jobname"
)

# The rows a query returns, as `copy` text; none when the table does not exist on that side (yet).
rows_of() { # port, table, query
  [ "$(psql_at "$1" -d postgres -tAc "select to_regclass('$2') is not null")" = t ] || return 0
  psql_at "$1" -d postgres -c "copy ($3) to stdout"
}

# Prints a unified diff of the reference rows of each table that differ between the two scratch databases
# (empty: no drift). Run after schema_diff, which builds both.
data_diff() {
  local entry table query from to
  for entry in "${REFERENCE_ROWS[@]}"; do
    table="${entry%%|*}"
    query="${entry#*|}"
    from="$(rows_of "$SCRATCH_MIGRATIONS_PORT" "$table" "$query")"
    to="$(rows_of "$SCRATCH_DECLARATIVE_PORT" "$table" "$query")"
    [ "$from" = "$to" ] && continue
    diff -u --label "$table in supabase/migrations" --label "$table in sql/data" \
      <(printf '%s\n' "$from") <(printf '%s\n' "$to") || true
  done
}

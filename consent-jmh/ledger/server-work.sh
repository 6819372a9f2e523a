#!/usr/bin/env bash
# What one append costs PostgreSQL itself, in instructions its backend executes (valgrind's
# callgrind counts them, whatever else the machine does), for three statements:
#   before   the ledger's insert before the chain (218a86f): identity column, RETURNING *
#   row      today's row alone, numbered by the ledger, without moving a head
#   chained  today's append (JdbcLedger's single-record statement): the lane's head moved from
#            the number read to the new one, and the row inserted only if it moved
# Each runs N1 and then N2 times as prepared statements from psql, each append its own commit,
# in a fresh cluster; the difference over N2 - N1 is the cost of one append. Needs PostgreSQL's
# server binaries (PG_BIN, else /usr/lib/postgresql/N/bin), psql and valgrind; runs as root (the
# server as the postgres user) or as the user who owns the cluster. A few minutes.
set -euo pipefail
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
N1=${N1:-300}
N2=${N2:-1300}
WORK=$(mktemp -d /dev/shm/consent-server-work.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$WORK"' EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"

MAC=a3f1c2d4e5f60718293a4b5c6d7e8f90a3f1c2d4e5f60718293a4b5c6d7e8f90
SEAL=b3f1c2d4e5f60718293a4b5c6d7e8f90a3f1c2d4e5f60718293a4b5c6d7e8f90
COLUMNS="seq, consent_id, decided_at, policy_version, purposes, trackers, source, notice, key_id, mac, lane, prev"

# the tables as each version of JdbcLedger creates them
cat > "$WORK/schema.sql" <<EOF
CREATE TABLE before_ledger (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, consent_id VARCHAR(64) NOT NULL,
  decided_at TIMESTAMP WITH TIME ZONE NOT NULL, policy_version VARCHAR(64) NOT NULL, purposes VARCHAR(4000) NOT NULL,
  trackers VARCHAR(4000) NOT NULL, source VARCHAR(16) NOT NULL);
CREATE INDEX before_ledger_consent_id ON before_ledger (consent_id);
CREATE INDEX before_ledger_decided_at ON before_ledger (decided_at);
CREATE TABLE consent_ledger (seq BIGINT PRIMARY KEY, consent_id VARCHAR(64), decided_at TIMESTAMP WITH TIME ZONE,
  policy_version VARCHAR(64), purposes VARCHAR(4000), trackers VARCHAR(4000), source VARCHAR(16), notice VARCHAR(80),
  key_id VARCHAR(16) NOT NULL, mac VARCHAR(64) NOT NULL, seal VARCHAR(64), lane SMALLINT NOT NULL, prev BIGINT NOT NULL);
CREATE INDEX consent_ledger_consent_id ON consent_ledger (consent_id);
CREATE INDEX consent_ledger_decided_at ON consent_ledger (decided_at);
CREATE TABLE consent_ledger_chain (name VARCHAR(8) PRIMARY KEY, seq BIGINT NOT NULL, mac VARCHAR(64) NOT NULL,
  key_id VARCHAR(16) NOT NULL, seal VARCHAR(64) NOT NULL);
INSERT INTO consent_ledger_chain SELECT n || g, 0, 'm', 'k', 's' FROM generate_series(0, 3) g, (VALUES ('head'), ('start')) v(n);
EOF

# one script of n appends of a variant
script() {
  local variant=$1 n=$2 i record
  case $variant in
    before) echo "PREPARE p(varchar, timestamptz, varchar, varchar, varchar, varchar) AS INSERT INTO before_ledger" \
      "(consent_id, decided_at, policy_version, purposes, trackers, source) VALUES (\$1, \$2, \$3, \$4, \$5, \$6) RETURNING *;" ;;
    row) echo "PREPARE p(bigint, varchar, timestamptz, varchar, varchar, varchar, varchar, varchar, varchar, varchar," \
      "smallint, bigint) AS INSERT INTO consent_ledger ($COLUMNS) VALUES (\$1, \$2, \$3, \$4, \$5, \$6, \$7, \$8, \$9," \
      "\$10, \$11, \$12);" ;;
    chained) echo "PREPARE p(bigint, varchar, varchar, varchar, varchar, bigint, bigint, varchar, timestamptz, varchar," \
      "varchar, varchar, varchar, varchar, varchar, varchar, smallint, bigint) AS WITH h AS (UPDATE consent_ledger_chain" \
      "SET seq = \$1, mac = \$2, key_id = \$3, seal = \$4 WHERE name = \$5 AND seq = \$6 RETURNING seq)" \
      "INSERT INTO consent_ledger ($COLUMNS) SELECT \$7, \$8, \$9, \$10, \$11, \$12, \$13, \$14, \$15, \$16, \$17, \$18" \
      "WHERE EXISTS (SELECT 1 FROM h);" ;;
  esac
  for ((i = 0; i < n; i++)); do
    record=$(printf "'%08d-1234-4abc-9def-0123456789ab', now(), '2024-05', '{\"analytics\":true,\"marketing\":false}', '{}', 'BANNER'" "$i")
    case $variant in
      before) echo "EXECUTE p($record) \\g /dev/null" ;;
      row) echo "EXECUTE p($((i + 1)), $record, NULL, 'bench', '$MAC', 0, $i);" ;;
      chained) echo "EXECUTE p($((i + 1)), '$MAC', 'bench', '$SEAL', 'head0', $i, $((i + 1)), $record, NULL, 'bench', '$MAC', 0, $i);" ;;
    esac
  done
  local table=consent_ledger
  [ "$variant" = before ] && table=before_ledger
  echo "SELECT count(*) AS appended FROM $table \\gset"
  echo "\\echo appended :appended"
}

# instructions of the psql session's backend for n appends of a variant, in a fresh cluster
instructions() {
  local variant=$1 n=$2 data="$WORK/data" out="$WORK/callgrind" port=55432
  rm -rf "$data" "$out"; mkdir -p "$out"; [ "$(id -u)" = 0 ] && chown postgres "$out"
  as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres >/dev/null
  as_pg "$PG_BIN/postgres" --single -D "$data" -j postgres < "$WORK/schema.sql" >/dev/null 2>&1
  script "$variant" "$n" > "$WORK/appends.sql"
  as_pg valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
    "$PG_BIN/postgres" -D "$data" -p $port -k "$WORK" -c listen_addresses='' > "$WORK/server.log" 2>&1 &
  local server=$!
  until psql -h "$WORK" -p $port -U postgres -Atqc 'SELECT 1' >/dev/null 2>&1; do sleep 1; done
  local appended
  appended=$(psql -h "$WORK" -p $port -U postgres -q -f "$WORK/appends.sql" postgres)
  [ "$appended" = "appended $n" ] || { echo "$variant: $appended, not $n appends" >&2; exit 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast stop >/dev/null
  wait $server || true
  # the largest profile is the backend that served psql's session
  grep -h '^summary:' "$out"/cg.* | awk '{print $2}' | sort -n | tail -n 1
}

echo "| statement | instructions per append |"
echo "|---|---|"
for variant in before row chained; do
  a=$(instructions $variant "$N1")
  b=$(instructions $variant "$N2")
  echo "| $variant | $(( (b - a) / (N2 - N1) )) |"
done

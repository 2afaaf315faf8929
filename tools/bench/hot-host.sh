#!/usr/bin/env bash
# Issue 3, "hot host": what a popular host's credit costs with a stored balance row (every gift
# updates the same row, so gifts serialize on its lock until commit) against append-only entries
# (what liveroom does: one INSERT per credit, no shared row). Each transaction is one gift from a
# random one of VIEWERS viewers: a conditional wallet debit plus the host's credit, committed.
#
#   tools/bench/hot-host.sh [clients=32] [seconds=10] [viewers=1000]
#
# Uses pgbench against a throwaway database (dropped at the end); PG_URL as for the loadgen.
set -euo pipefail
clients=${1:-32}
seconds=${2:-10}
viewers=${3:-1000}
base=${PG_URL:-postgres://postgres@127.0.0.1:5432}
db="liveroom_hothost_$$"
dir=$(mktemp -d)
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$dir"' EXIT

psql "$base/postgres" -qc "CREATE DATABASE $db" >/dev/null
psql "$base/$db" -q >/dev/null <<SQL
CREATE TABLE wallets (user_id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO wallets SELECT g, 1000000000 FROM generate_series(1, $viewers) g;
CREATE TABLE host_balances (host_id text PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO host_balances VALUES ('h', 0);
CREATE TABLE entries (id bigserial PRIMARY KEY, account_id text NOT NULL, amount bigint NOT NULL);
CREATE INDEX ON entries (account_id);
SQL

cat > "$dir/row.sql" <<SQL
\set viewer random(1, $viewers)
BEGIN;
UPDATE wallets SET balance = balance - 10 WHERE user_id = :viewer AND balance >= 10;
UPDATE host_balances SET balance = balance + 5 WHERE host_id = 'h';
END;
SQL
cat > "$dir/entries.sql" <<SQL
\set viewer random(1, $viewers)
BEGIN;
UPDATE wallets SET balance = balance - 10 WHERE user_id = :viewer AND balance >= 10;
INSERT INTO entries (account_id, amount) VALUES ('host:h', 5);
END;
SQL

for variant in row entries; do
  printf '%-8s ' "$variant"
  pgbench -n -c "$clients" -j 2 -T "$seconds" -f "$dir/$variant.sql" "$base/$db" 2>/dev/null |
    awk '/latency average/ {lat=$4} /tps =/ {tps=$3} END {printf "%8.0f gifts/s, latency avg %s ms\n", tps, lat}'
done
psql "$base/$db" -qAtc "SELECT 'host credit (row) ' || balance FROM host_balances UNION ALL SELECT 'host credit (entries) ' || sum(amount) FROM entries"

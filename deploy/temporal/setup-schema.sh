#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (history and visibility). Idempotent:
# `create` fails harmlessly when the database exists, `update-schema` applies only what is missing.
set -eu
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS}" "${POSTGRES_USER:?set POSTGRES_USER}" "${POSTGRES_PWD:?set POSTGRES_PWD}"
export SQL_PASSWORD="$POSTGRES_PWD"
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "${DB_PORT:-5432}" "$@"; }
schema=/etc/temporal/schema/postgresql/v12

for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}
  dir=${db##*:}
  tool --db "$name" create 2>/dev/null || echo "database $name exists"
  tool --db "$name" setup-schema -v 0.0 2>/dev/null || echo "schema of $name already initialised"
  tool --db "$name" update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schema ready"

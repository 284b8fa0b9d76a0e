#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: the engine's own database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -c "CREATE DATABASE \"${APP_DATABASE:-disburse}\""

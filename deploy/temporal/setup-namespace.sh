#!/bin/sh
# Creates the namespace and registers the search attributes the engine writes (BatchId, BatchStatus),
# so operators can filter runs in the Web UI. Safe to run again.
set -eu
ns=${TEMPORAL_NAMESPACE:-default}
tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS never became healthy" >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe -n "$ns" >/dev/null 2>&1 || temporal operator namespace create -n "$ns" --retention 30d
for attr in BatchId BatchStatus; do
  if temporal operator search-attribute list -n "$ns" | grep -qw "$attr"; then
    echo "search attribute $attr exists"
  else
    temporal operator search-attribute create -n "$ns" --name "$attr" --type Keyword
  fi
done
echo "namespace $ns ready"

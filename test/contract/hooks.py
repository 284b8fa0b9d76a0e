"""schemathesis hooks for test/integration/contract.test.ts."""

import schemathesis

# POST /v1/batches reads `application/csv` like `text/csv`; schemathesis has no serializer of its own for it
# (it sends other `text/*` types as text), so it goes on the wire the same way.
schemathesis.serializer.alias("application/csv", "text/plain")

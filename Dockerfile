# One image for api and worker (docker-compose.yml picks the command). Node 24 runs the TypeScript sources natively.
FROM node:24-slim
WORKDIR /app
# The memory caps of scripts/run.sh (README: Performance): two malloc arenas, and the API's 8 MB young-generation
# semi-spaces (docker-compose.yml gives the worker its 2 MB on its command line, which overrides this).
ENV NODE_OPTIONS="--disable-warning=ExperimentalWarning --max-semi-space-size=8"
ENV MALLOC_ARENA_MAX=2
# Compiled code cached on disk (writable by USER node): restarts skip compiling and stripping types (README: Performance).
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
COPY package.json package-lock.json ./
# All dependencies, dev ones included: there is no build step, and `npm ci` reproduces the tested lockfile.
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
# Workers load this prebuilt bundle (WORKFLOW_BUNDLE_PATH) instead of running webpack at start; the traced one carries
# the OpenTelemetry workflow interceptors, for workers with OTEL_EXPORTER_OTLP_ENDPOINT (README: Metrics, traces and alerts).
RUN node scripts/bundle-workflows.ts /app/workflow-bundle.js && node scripts/bundle-workflows.ts /app/workflow-bundle-traced.js --tracing
# The back-office web app served at /dashboard (Vite build from dashboard/, no network).
RUN node scripts/build-dashboard.ts
ENV NODE_ENV=production
# FILE_STORAGE_DIR in docker-compose.yml: a named volume takes this directory's owner, so uploads are writable by node.
RUN mkdir -p /data/files && chown node:node /data/files
USER node
EXPOSE 3000
CMD ["node", "api/main.ts"]

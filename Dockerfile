# One image for api and worker (docker-compose.yml picks the command). Node 24 runs the TypeScript sources natively.
FROM node:24-slim
WORKDIR /app
ENV NODE_OPTIONS=--disable-warning=ExperimentalWarning
COPY package.json package-lock.json ./
# All dependencies, dev ones included: there is no build step, and `npm ci` reproduces the tested lockfile.
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
# Workers load this prebuilt bundle (WORKFLOW_BUNDLE_PATH) instead of running webpack at start.
RUN node scripts/bundle-workflows.ts /app/workflow-bundle.js
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["node", "api/main.ts"]

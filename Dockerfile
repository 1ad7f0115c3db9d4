# syntax=docker/dockerfile:1
# emqx-lb-sidecar image: build with dev dependencies, run with production dependencies only, as a non-root user.
# Build:  docker build -t emqx-lb-sidecar:0.1.0 .
# Run:    docker run --rm -p 9183:9183 -e SIDECAR_EMQX_URL=http://emqx:18083 emqx-lb-sidecar:0.1.0
# Secrets are never baked in: mount the EMQX API secret as a file and set SIDECAR_EMQX_PASSWORD_FILE.
# test/docker/dockerfile.test.ts checks the properties promised here (no Docker engine needed).

# Node.js 24 LTS on Debian slim (glibc like CI): the LTS line with the longest support ahead (Node 20 is past its end
# of life, 22 is in maintenance), and CI runs the unit tests on Node 24 as well as on 20. Its memory was measured:
# with the CMD's flag, the RSS peak under a 5 s storm of 1,000 checkers opening a new connection per probe stays
# within 80% of deploy/base's limit (the figures: bench/results.md, "Footprint under a checker storm"; deploy/README.md, Memory).
# Override with --build-arg NODE_IMAGE=... (e.g. a digest-pinned image).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first so the dependency layer is cached across source changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="emqx-lb-sidecar" \
      org.opencontainers.image.description="Per-node sidecar that tells load balancers whether an EMQX node should receive new MQTT connections" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.documentation="deploy/README.md in the source repository"
ENV NODE_ENV=production
WORKDIR /app
# --ignore-scripts: production dependencies need no install scripts, and none should run as part of the image build.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# Numeric uid/gid (the image's `node` user) so Kubernetes `runAsNonRoot: true` can verify it without a passwd lookup.
USER 1000:1000
# 9183: HTTP probes, /status, /metrics. 9184: HAProxy agent-check (on by default; SIDECAR_AGENT_PORT=0 turns it off).
EXPOSE 9183 9184
# Liveness only (/livez never depends on EMQX); slim images have no curl, so Node's own fetch does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SIDECAR_PORT||9183)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command the tests and `npm start` run, with the flags of dist/cli.js's shebang: node with
# src/node-flags.ts's flags (why: that file), then dist/cli.js.
CMD ["node", "--optimize-for-size", "--liftoff-only", "dist/cli.js"]

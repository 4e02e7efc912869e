# AuditLens worker image: Node 24, Debian's chromium, the project built (dist/) with its production
# dependencies. It runs `auditlens` (bin/auditlens.js); by default `auditlens worker`, which takes audit jobs
# from Redis (see docker-compose.yml and docs/queue.md).
#   docker build -t auditlens .
#   docker run --rm --init --shm-size=1g -e AUDITLENS_QUEUE_KEY auditlens worker --redis redis://HOST:6379
# No key or credential is baked in: AUDITLENS_QUEUE_KEY, ANTHROPIC_API_KEY and CRUX_API_KEY come from the
# environment at run time.

# Build: the dev dependencies (esbuild) bundle src/ into dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY esbuild.js tsconfig.json ./
COPY src ./src
RUN node esbuild.js

# Run: the bundle, the CLI launcher and the production dependencies the engine loads at run time (Lighthouse,
# playwright-core, chrome-launcher, sql.js), and Debian's chromium with fonts for real screenshots. procps: the
# engine's orphan-Chrome watchdog (a shell) finds a dead worker's Chromes with pgrep/pkill.
FROM node:24-bookworm-slim
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji procps \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production CHROME_PATH=/usr/bin/chromium
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Not root: Chrome refuses its sandbox as root. Where the container forbids user namespaces (Docker's default
# seccomp profile), the engine finds that out with a test launch and runs Chrome without its sandbox, and says so.
USER node
# A worker keeps its own history in memory; with `--db /home/node/history.sqlite` it is kept here (mount a volume).
WORKDIR /home/node
ENTRYPOINT ["node", "/app/bin/auditlens.js"]
# `worker` takes the Redis URL from --redis or AUDITLENS_REDIS_URL (which keeps a password out of `ps`).
CMD ["worker"]

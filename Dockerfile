# syntax=docker/dockerfile:1
# prbot: the webhook server (`prbot serve`) by default; `prbot worker` with the Redis backend.
# Build: docker build -t prbot .   Run: see docs/deploy.md.

# --- builder: wheels for prbot and every dependency, so the runtime needs no compiler ----
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY reviewers ./reviewers
COPY adapters ./adapters
COPY prompts ./prompts
# The redis extra too: the same image runs `prbot worker` for the Redis backend.
RUN pip wheel --wheel-dir /wheels ".[redis]"

# --- runtime: the wheels installed offline, run as an unprivileged user --------------------
FROM python:3.11-slim AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRBOT_DATA_DIR=/data \
    PORT=8000
RUN groupadd --system --gid 10001 prbot \
    && useradd --system --uid 10001 --gid prbot --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin prbot \
    && mkdir -p /data \
    && chown prbot:prbot /data
# The wheels are bind-mounted, not copied, so they never become a layer of the image.
# DL3013 (pin versions): --no-index installs exactly the wheels the builder just made.
# hadolint ignore=DL3013
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels "prbot[redis]"
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# No curl in slim images: Python's urllib does the probe. Set PORT if you change --port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["prbot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]

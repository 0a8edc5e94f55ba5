# syntax=docker/dockerfile:1
# prbot: the webhook server (`prbot serve`) by default; `prbot worker` with the Redis backend.
# Build: docker build -t prbot .   Run: see docs/deploy.md.

# Both stages start from the same image, pinned by digest: a tag moves, a digest does not.
# Refresh both lines on purpose (docs/deploy.md, "Reproducible installs"); Dependabot
# proposes new digests.
# --- builder: wheels of exactly the locked versions (hashes checked) and of prbot --------
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
# requirements.lock (`make lock`): every dependency, the redis extra (the same image runs
# `prbot worker`) and both model SDKs included, each version with its hashes.
COPY requirements.lock pyproject.toml README.md ./
RUN pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements.lock
COPY bot ./bot
COPY reviewers ./reviewers
COPY adapters ./adapters
COPY prompts ./prompts
# prbot's own wheel, built with the locked setuptools (no isolation: nothing unlocked).
RUN pip install --no-index --no-deps /wheels/setuptools-*.whl \
    && pip wheel --no-index --no-deps --no-build-isolation --wheel-dir /wheels .

# --- runtime: the wheels installed offline, run as an unprivileged user --------------------
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS runtime
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
# The wheels are bind-mounted, not copied, so they never become a layer of the image; the
# lock is checked again here (hashes), then prbot goes in without resolving anything.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    pip install --no-index --find-links /wheels --require-hashes --no-deps \
        -r /tmp/requirements.lock \
    && pip install --no-index --no-deps /wheels/prbot-*.whl
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

# watcher with Debian's Chromium: one image for `watcher run` (embedded or --distributed, with the
# web app), `watcher worker`, `watcher check` and `watcher demo`. Runs as the non-root user
# `watcher` (uid 1000); its data (SQLite, the evidence store) is under /data.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 watcher

ENV WATCHER_CHROMIUM=/usr/bin/chromium \
    WATCHER_DATA=/data \
    PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY watcher ./watcher
COPY storage ./storage
COPY notifiers ./notifiers
COPY sources.yaml ./sources.yaml
RUN pip install --no-cache-dir . && mkdir -p /data && chown watcher /data

USER watcher
VOLUME ["/data"]
# Healthy when the database answers; `watcher health --strict` also fails on a refused region.
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["watcher", "health", "--metrics"]
CMD ["watcher", "run", "--config", "/app/sources.yaml"]

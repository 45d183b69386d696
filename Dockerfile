# watcher with Debian's Chromium: one image for `watcher run`, `watcher check` and `watcher demo`.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
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
CMD ["watcher", "run", "--config", "/app/sources.yaml"]

# Deadline Desk: a small image that runs the bot as a non-root user, database on /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_DATABASE__PATH=/data/deadlines.sqlite3

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml docker/install-deps.sh ./
RUN sh install-deps.sh && rm install-deps.sh

# Then the code.
COPY README.md ./
COPY bot ./bot
RUN python -m pip install --no-cache-dir --no-deps . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin deadline \
    && mkdir /data && chown deadline /data

USER deadline
VOLUME ["/data"]

# The bot stops cleanly on SIGTERM (alerts being sent finish, the database closes).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]

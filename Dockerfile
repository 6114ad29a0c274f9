# Aides numériques — one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PYTHONPATH=/app \
    VAR_DIR=/data/var \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/data/private

# WeasyPrint needs Pango and HarfBuzz, attachment checks need libmagic, PDFs need fonts;
# `manage.py backup`/`restore` need pg_dump/pg_restore of the server's major version: bookworm's
# postgresql-client is 15, the version of the db service in docker-compose.yml (tests/test_compose.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libmagic1 shared-mime-info fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /home/app --create-home app

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them: exactly the runtime lock
# (requirements/runtime.txt, `make lock`: every package pinned with its hashes, none of the dev
# extra), which CI's production smoke test installs too. The code runs from /app.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes --no-deps -r requirements/runtime.txt

COPY . .

# The code's bytecode, compiled once here: with PYTHONDONTWRITEBYTECODE (and /app read-only for the
# app user) every process would otherwise compile every module it imports when it starts.
RUN python -m compileall -q /app

# Static files are collected at build time and served by whitenoise; the key is a throwaway.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p /data/private /data/var /data/audit \
    && chown -R app:app /data

USER app
VOLUME ["/data/private"]
EXPOSE 8000

# Liveness of the web service (the worker and beat have their own checks in docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/probe.py", "http://127.0.0.1:8000/sante/"]

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

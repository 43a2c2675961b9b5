# Image for the scaled deployment (docker-compose.yml): web, worker and beat
# all run this image with different commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app

# PDF reports: WeasyPrint lays them out with Pango and HarfBuzz, in the Noto fonts (Latin, Cyrillic,
# Arabic: fonts-noto-core; Chinese: fonts-noto-cjk).
RUN apt-get update && apt-get install -y --no-install-recommends curl procps postgresql-client gettext \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt requirements-nodeps.txt ./
# PyICU (collation by the reader's language) compiles against ICU; the build tools are removed after.
RUN apt-get update && apt-get install -y --no-install-recommends libicu-dev pkg-config g++ \
    && pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --no-deps -r requirements-nodeps.txt \
    && apt-get purge -y g++ pkg-config && apt-get autoremove -y && apt-get install -y --no-install-recommends libicu72 \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# collectstatic needs settings that production would read from the environment.
RUN for po in locale/*/LC_MESSAGES/django.po; do msgfmt -o "${po%.po}.mo" "$po"; done
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --system --home /app portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "unnutrition.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

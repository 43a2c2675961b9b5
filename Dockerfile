# Image for the scaled deployment (docker-compose.yml): web, worker and beat
# all run this image with different commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends curl procps fonts-dejavu-core postgresql-client gettext && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
# PyICU (collation by the reader's language) compiles against ICU; the build tools are removed after.
RUN apt-get update && apt-get install -y --no-install-recommends libicu-dev pkg-config g++ \
    && pip install --no-cache-dir -r requirements.txt \
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

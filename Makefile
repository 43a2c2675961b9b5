# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEMO_ARGS ?= --countries 20 --years 3 --seed 1

.PHONY: run test install lint format check setup-data demo-reset bench-demo clean browser screenshots messages security bench-load

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-nodeps.txt
	@# PyICU (collation by the reader's language) builds against Debian's ICU.
	@pkg-config --exists icu-i18n || (apt-get install -y -q libicu-dev pkg-config >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null && apt-get install -y -q libicu-dev pkg-config >/dev/null))
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

# Front-end assets from the npm registry, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled translations (.mo) are built here, never committed.
LOCALE_PO := $(wildcard locale/*/LC_MESSAGES/django.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	msgfmt --check -o $@ $<

install: pdf-deps $(VENV)/.installed node_modules/.installed $(LOCALE_MO)

## Debian's Pango and HarfBuzz (WeasyPrint lays out the PDF reports with them) and the Noto fonts
## (Latin, Cyrillic, Arabic: fonts-noto-core; Chinese: fonts-noto-cjk). Without them a PDF report
## fails and says why; in CI (CI=true) a failed installation stops the build.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk
.PHONY: pdf-deps
pdf-deps:
	@test "$$(dpkg-query -W -f='$${Status}\n' $(PDF_PACKAGES) 2>/dev/null | grep -c 'install ok installed')" = "$(words $(PDF_PACKAGES))" \
	  || { echo "Installing Debian's Pango and Noto fonts for the PDF reports"; \
	  apt-get install -y -q --no-install-recommends $(PDF_PACKAGES) >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $(PDF_PACKAGES) >/dev/null) \
	  || { echo "Could not install $(PDF_PACKAGES): PDF reports will fail, saying why"; test "$(CI)" != true; }; }

## Set everything up on SQLite with in-process tasks and serve on 127.0.0.1:8000 (HOST=0.0.0.0:8080 to change).
## Safe to run again: it keeps everything in the database and only fills an empty one with demo data.
run: install setup-data
	@echo "Serving on http://$(HOST)/ (admin: http://$(HOST)/admin/)"
	$(PY) manage.py runserver $(HOST)

## Migrate, load the reference data (idempotent), generate demo data only into an empty database,
## create the admin account if missing (the passwords are printed that first time only).
setup-data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py generate_demo_data $(DEMO_ARGS)
	$(PY) manage.py ensure_admin

## Replace the demo data (and what was recorded on it) with a fresh set: asks first, CONFIRM=1 does not.
demo-reset: install
	$(PY) manage.py generate_demo_data $(DEMO_ARGS) --replace $(if $(filter 1,$(CONFIRM)),--noinput,)

## The whole test suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set).
test: install browser
	$(PY) -m pytest

## Debian's Chromium for the browser tests (Playwright cannot download its own here).
browser:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	  || echo "Could not install chromium: browser tests will skip (and fail in CI)"; }

## Security checks: bandit (no finding above low), pip-audit, Django's deployment checks.
## AUDIT_REQUIRED=1 (release pipelines): fail when pip-audit could not check every package.
security: install
	$(VENV)/bin/bandit -q -r . -x ./.venv,./node_modules,./tests,./bench -ll
	AUDIT_REQUIRED="$(AUDIT_REQUIRED)" $(PY) .ci/audit_dependencies.py
	DJANGO_ENV=production DJANGO_ALLOWED_HOSTS=nutrition.example.org \
	  DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(PY) manage.py check --deploy --fail-level WARNING

## Load test: gunicorn + PostgreSQL + Redis, 20 clients for 60 s, 2 % writes (needs DATABASE_URL and REDIS_URL).
bench-load: install
	$(PY) bench/load_test.py

## Refresh the translation catalogues after changing interface strings.
messages: install
	$(PY) manage.py update_messages

## Screenshots of the portal (English and Arabic) into docs/screenshots/.
screenshots: install browser setup-data
	$(PY) manage.py take_screenshots --output docs/screenshots
	@# The first page of a Chinese PDF report, as a PNG by Debian's pdftoppm (poppler-utils).
	@command -v pdftoppm >/dev/null || apt-get install -y -q --no-install-recommends poppler-utils >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends poppler-utils >/dev/null)
	$(PY) manage.py report_screenshot --output docs/screenshots --language zh-hans

## Lint, format check, and the layering check (apps and files import downward only).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) .ci/check_imports.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

## Time generate_demo_data at benchmark size (use DATABASE_URL for PostgreSQL).
bench-demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py generate_demo_data --countries 200 --years 5 --seed 42 --replace --noinput

## Time and peak memory of the global report, PDF and XLSX, at benchmark size (use DATABASE_URL for PostgreSQL).
.PHONY: bench-reports
bench-reports: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) bench/reports_benchmark.py --countries 200 --years 5 --seed 42

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

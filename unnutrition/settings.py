"""Settings for the UN Nutrition Coordination Portal.

Everything that differs between a laptop and production is read here, from the
environment, and nowhere else. With nothing set the portal runs on SQLite in the
project folder with Celery tasks executed in-process, so `make run` works on a
bare machine. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a real
broker; `DJANGO_ENV=production` turns on the hardening and makes the secrets
mandatory.
"""

import datetime as dt
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local, git-ignored .env is convenient for developers; production sets real
# environment variables and ships no such file.
env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _development_secret_key() -> str:
    """A per-checkout key kept out of git, so sessions survive a restart."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    # No default: a production start without a key must fail loudly.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_filters",
    "django_tables2",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "unnutrition",
    "accounts",
    "agencies",
    "countries",
    "teams",
    "access",
    "workplans",
    "results",
    "reports",
    "cycle",
    "exchange",
]

MIDDLEWARE = [
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's chosen language (preferences), unless this browser switched language.
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user on every history row (who changed what).
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database that is not answering: 503 and the portal's page (API: JSON), never a 500.
    "core.unavailable.DatabaseUnavailableMiddleware",
    # One transaction for each request that may write (core/transactions.py), none for reads.
    "core.transactions.AtomicWritesMiddleware",
    # Last, as django-axes requires: turns a lock-out into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unnutrition.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "unnutrition.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "unnutrition.wsgi.application"

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql", "core.db.postgresql"):
    # While PostgreSQL restarts or is unreachable, a request answers 503 within seconds
    # (core/unavailable.py) instead of holding a gunicorn worker until its timeout: a new connection
    # gives up after CONNECT_TIMEOUT, a statement after STATEMENT_TIMEOUT, a wait for a row lock
    # after LOCK_TIMEOUT (seconds; 0 turns one off, e.g. for a heavy one-off maintenance command).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3))
    _db_options["options"] = " ".join(
        [
            _db_options.get("options", ""),
            f"-c statement_timeout={env.int('DJANGO_DB_STATEMENT_TIMEOUT', default=30) * 1000}",
            f"-c lock_timeout={env.int('DJANGO_DB_LOCK_TIMEOUT', default=10) * 1000}",
        ]
    ).strip()
# A dropped connection is replaced before a request's first query, by a check that costs no round
# trip while the server is quiet (core/db/postgresql).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"
# A request that fails half-way writes nothing: core.transactions.AtomicWritesMiddleware gives every
# request that may write (POST, PUT, PATCH, DELETE) one transaction; reads run without one.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins while a user+address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Object-level rules (accounts/permissions.py), then Django's own.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Brute-force protection (django-axes) ----------------------------------
# A username from one address is locked out after this many failures in a row,
# for this long; other addresses and other users are not affected.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"

# --- Client address behind proxies -------------------------------------------
# How many proxies of ours stand in front of the app. 0: the address is
# REMOTE_ADDR and X-Forwarded-For is ignored (anybody can write it); n: the
# n-th address from the right of X-Forwarded-For. One rule for lock-outs, the
# security log and the API throttles (core/client_address.py, which is DRF's
# rule with NUM_PROXIES, set from the same count below).
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# --- Content-Security-Policy (django-csp) ------------------------------------
# No inline script or style anywhere: scripts and styles come from our own
# static files; the coverage map and charts are images and canvases.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGIN_URL = "login"
# The home page sends conveners and focal points to My tasks, everyone else to the dashboard.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages: the six official languages of the United Nations ---------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One unambiguous date format per language, ISO dates typed, figures grouped by thousands in all six.
FORMAT_MODULE_PATH = ["unnutrition.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Lists scroll in a focusable, named box on a phone; the pager has words, not icons (templates/django_tables2).
DJANGO_TABLES2_TEMPLATE = "django_tables2/portal.html"
DJANGO_TABLES2_PAGE_RANGE = 8

# --- Static and media files ----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Front-end packages come from npm at set-up (`make install` runs `npm ci`)
# and are served from here under static/vendor/; nothing is loaded from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Outside production, serve static files straight from the app folders: no
# collectstatic step needed for `make run` or the tests.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the tasks run in the calling process, so the embedded
# set-up needs no worker. With REDIS_URL a real worker runs them.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds before Redis hands an unacknowledged job to another worker (a job whose worker died).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # A broker that does not answer fails a publish within seconds (the run waits in the database,
    # reports.services.dispatch_waiting hands it over later) instead of hanging the request.
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    # Publishing tries a lost connection once more, not for seconds (the worker's own connection
    # retries forever, below).
    "max_retries": 1,
    "interval_start": 0,
}
# A worker (and beat) waits for a broker that is down as long as it takes, instead of giving up
# after 100 attempts; each time the worker connects it hands over what waited (reports/tasks.py).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Beat keeps a scheduled task the broker refused and sends it once the broker is back (unnutrition/beat.py).
CELERY_BEAT_SCHEDULER = "unnutrition.beat:RetryingScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# --- Cache (API throttling) -----------------------------------------------
# In Redis, but a Redis outage must not take sign-in or the API down: core.cache.FallbackCache
# answers from this process's memory while Redis does not answer within the socket timeout,
# logs the switch, and tries Redis again every CACHE_RETRY_AFTER seconds.
CACHES = {
    "default": {
        "BACKEND": "core.cache.FallbackCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "PRIMARY_OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
            },
            "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=5),
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring tokens: "Authorization: Token <token>".
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        # Unknown parameters and orderings answer 400; search= is documented where a list searches
        # (core/api/filters.py).
        "core.api.filters.KnownParametersFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.filters.DocumentedSearchFilter",
        "core.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    # JSON encoded with orjson, the same bytes as DRF's (core/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Changes to existing records (PUT, PATCH, DELETE, workflow actions) must send
# If-Match with the ETag of the client's last read; without it: 428.
API_REQUIRE_IF_MATCH = env.bool("API_REQUIRE_IF_MATCH", default=True)
# Requests per token (or per user for browser sessions), e.g. "5000/hour".
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="5000/hour")
# Token requests (username and password) per client address.
API_SIGN_IN_THROTTLE_RATE = env.str("API_SIGN_IN_THROTTLE_RATE", default="20/minute")
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
}

# --- API hardening: client address, request bodies ---------------------------
REST_FRAMEWORK["NUM_PROXIES"] = PROXY_COUNT
# Malformed or absurdly nested JSON answers 400, never 500 (core/api/parsers.py).
# JSON only: a form has no null, and no endpoint takes files.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["core.api.parsers.JSONParser"]

SPECTACULAR_SETTINGS = {
    "TITLE": "UN Nutrition Coordination Portal API",
    "DESCRIPTION": (
        "Rosters of UN Nutrition teams, annual joint workplans and their activities, and the Secretariat "
        "dashboard. Authenticate with a session or with `Authorization: Token <token>`; obtain a token "
        "with `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "WorkplanStatusEnum": "workplans.models.Workplan.Status",
        "ActivityStatusEnum": "workplans.models.Activity.Status",
        # The roster and access resources (teams/api/entries.py, access/api/views.py).
        "FocalPointEndReasonEnum": "teams.models.FocalPoint.EndReason",
        "ConvenerRoleEnum": "teams.models.ConvenerTerm.Role",
        "TeamRoleEnum": "access.models.Role",
        "AccessRequestRoleEnum": "access.models.REQUESTABLE_ROLES",
        # Results (results/api, issue 14).
        "ReportingPeriodKindEnum": "workplans.models.ReportingPeriod.Kind",
        "AttachmentKindEnum": "results.models.Attachment.Kind",
        "DeadlineKindEnum": "cycle.models.Deadline.Kind",
        "NotificationKindEnum": "cycle.models.Kind",
        "NotificationDeliveryEnum": "cycle.models.Delivery",
        "AmendmentKindEnum": "workplans.models.Amendment.Kind",
        "AmendmentStatusEnum": "workplans.models.Amendment.Status",
        "EndorsementRuleEnum": "workplans.models.EndorsementRule",
        "EndorsementRoundStatusEnum": "workplans.models.EndorsementRound.Status",
        "EndorsementRequestStatusEnum": "workplans.models.EndorsementRequest.Status",
        "AttachmentVisibilityEnum": "results.models.Attachment.Visibility",
        "IndicatorValueStatusEnum": "results.models.IndicatorValue.Status",
        "IndicatorUnitEnum": "results.models.Unit",
        "IndicatorDirectionEnum": "results.models.Direction",
        # Funding (workplans/funding), regions, the activity markers: one name each, whatever else
        # has a "status", "kind" or "level" (the cycle's enums above made the automatic names collide).
        "JointProposalStatusEnum": "workplans.models.JointProposal.Status",
        "ContributionKindEnum": "workplans.models.Contribution.Kind",
        "RegionLevelEnum": "countries.models.Region.Level",
        "MarkerScoreEnum": "workplans.models.MarkerScore",
    },
}

# --- E-mail -----------------------------------------------------------------
# EMAIL_URL, e.g. smtp://user:password@mail.example.org:587/?tls=True or smtp://127.0.0.1:1025
# (docker-compose's mail catcher). Unset: e-mails are printed to the console (`make run`).
# DJANGO_EMAIL_BACKEND (a backend's dotted path) still wins when set.
if env.str("EMAIL_URL", default=""):
    globals().update({key: value for key, value in env.email_url("EMAIL_URL").items() if value is not None})
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="") or EMAIL_BACKEND
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="UN Nutrition Portal <noreply@localhost>")
# The portal's address, for links in e-mails sent by jobs (requests use their own address).
PORTAL_URL = env.str("DJANGO_PORTAL_URL", default="http://127.0.0.1:8000")

# --- People and access (access/) ----------------------------------------------
# An invitation link works once, for this many days.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# The yearly roster check: an entry not confirmed for ROSTER_CONFIRM_EVERY_DAYS is asked by e-mail
# (again at most every ROSTER_CONFIRM_EVERY_DAYS); one not confirmed for ROSTER_UNCONFIRMED_DAYS is
# flagged on the team page, the dashboard and the data-quality report.
ROSTER_CONFIRM_EVERY_DAYS = env.int("ROSTER_CONFIRM_EVERY_DAYS", default=335)
ROSTER_UNCONFIRMED_DAYS = env.int("ROSTER_UNCONFIRMED_DAYS", default=365)

# --- Single sign-on (OpenID Connect), optional -----------------------------------
# Off unless OIDC_RP_CLIENT_ID is set. Then the sign-in page offers "Sign in with <OIDC_PROVIDER_NAME>",
# matching people by e-mail to their accounts (accounts/oidc.py); never needed for `make run`.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "accounts.oidc.PortalOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
    LOGIN_REDIRECT_URL_FAILURE = "login"
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your agency's account")

# --- Logging ----------------------------------------------------------------
# One JSON object per line on stderr, each with the request id of the request
# it belongs to (unnutrition/request_log.py); DJANGO_LOG_FORMAT=text for humans.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env.str("DJANGO_LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Our access line replaces Django's own per-request warnings.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # WeasyPrint's step-by-step progress (the PDF reports): not worth a line each.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Production hardening ---------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Health checks come over plain HTTP from inside the deployment.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# --- Exchange (exchange/): spreadsheets in and out ---------------------------------------
# An uploaded workbook is refused above these sizes (checked from the ZIP directory before anything
# is decompressed) and above this many data rows (read one by one, reading stops past the limit).
EXCHANGE_MAX_UPLOAD_BYTES = env.int("EXCHANGE_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
EXCHANGE_MAX_UNCOMPRESSED_BYTES = env.int("EXCHANGE_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
EXCHANGE_MAX_ROWS = env.int("EXCHANGE_MAX_ROWS", default=2000)

# --- Reports (reports/) -------------------------------------------------------
# Evidence files (results app): stored under MEDIA_ROOT/evidence/, served only after a permission
# check (never from a public URL), type judged by content; the largest file accepted, in bytes.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)

# Coordination reports are built by Celery jobs into MEDIA_ROOT/reports/.
# A workplan is due by this day (MM-DD) of its year; later ones are flagged.
REPORTS_WORKPLAN_DUE = env.str("REPORTS_WORKPLAN_DUE", default="03-31")
# An activity under way with no progress update for this many days is flagged.
REPORTS_STALE_ACTIVITY_DAYS = env.int("REPORTS_STALE_ACTIVITY_DAYS", default=90)
# Failed jobs are retried this often, after about BACKOFF, 2xBACKOFF, ... seconds
# (at most BACKOFF_MAX, which must stay below the broker's visibility timeout).
REPORTS_MAX_RETRIES = env.int("REPORTS_MAX_RETRIES", default=3)
REPORTS_RETRY_BACKOFF = env.int("REPORTS_RETRY_BACKOFF", default=15)
REPORTS_RETRY_BACKOFF_MAX = env.int("REPORTS_RETRY_BACKOFF_MAX", default=600)
# Seconds a job may run; below the visibility timeout, so a running job is never handed to a second worker.
REPORTS_TIME_LIMIT = env.int("REPORTS_TIME_LIMIT", default=1800)
# A queued or running run without any sign of life for this long is marked failed.
REPORTS_ABANDONED_AFTER = env.int("REPORTS_ABANDONED_AFTER", default=3 * 3600)
# A running report shows progress at least every 15 s; silent this long, its worker is taken for dead:
# a new request for it starts afresh, and a worker that starts queues it again.
REPORTS_HEARTBEAT_TIMEOUT = env.int("REPORTS_HEARTBEAT_TIMEOUT", default=120)
# How long a starting worker waits for the others to answer "alive" before recovering their runs.
REPORTS_PING_TIMEOUT = env.float("REPORTS_PING_TIMEOUT", default=2.0)
# Report files older than this many days are deleted with their run (0 keeps them).
REPORTS_KEEP_DAYS = env.int("REPORTS_KEEP_DAYS", default=365)
# Long lists are cut to this many rows in PDFs (print); XLSX and CSV have them all.
# The PDF is laid out whole in memory (WeasyPrint): its lists are cut to this many rows.
REPORTS_PDF_MAX_ROWS = env.int("REPORTS_PDF_MAX_ROWS", default=100)
# Tests only: seconds a job pauses after each step, so a test can kill a worker mid-job.
REPORTS_TEST_DELAY = env.float("REPORTS_TEST_DELAY", default=0.0)

# --- The yearly cycle (cycle/): endorsement, notifications ------------------------------
# Days the member agencies' signatories have to answer a submitted workplan, unless the
# Secretariat set the year's endorsement policy (the calendar page).
ENDORSEMENT_RESPONSE_DAYS = env.int("ENDORSEMENT_RESPONSE_DAYS", default=14)
# Notification e-mails (cycle/delivery.py): a failed attempt is retried after BACKOFF, 2xBACKOFF, ...
# seconds (at most BACKOFF_MAX), MAX_ATTEMPTS times in all, then listed for the Secretariat.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BACKOFF = env.int("NOTIFICATIONS_RETRY_BACKOFF", default=60)
NOTIFICATIONS_RETRY_BACKOFF_MAX = env.int("NOTIFICATIONS_RETRY_BACKOFF_MAX", default=3600)
# An e-mail claimed by a sender longer ago than this (seconds) has lost its sender: queued again if
# nothing of it can have arrived, else listed as unconfirmed (never sent twice). Above EMAIL_TIMEOUT.
NOTIFICATIONS_SEND_TIMEOUT = env.int("NOTIFICATIONS_SEND_TIMEOUT", default=300)
# E-mails one job sends before it ends (the next run goes on).
NOTIFICATIONS_BATCH = env.int("NOTIFICATIONS_BATCH", default=200)
# The right-hand side of every notification's Message-ID (the portal's host by default).
NOTIFICATIONS_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATIONS_MESSAGE_ID_DOMAIN", default=(PORTAL_URL.split("://")[-1].split("/")[0].split(":")[0] or "localhost")
)
# Tests only: seconds a sender pauses after each e-mail, so a test can kill a worker mid-batch.
NOTIFICATIONS_TEST_DELAY = env.float("NOTIFICATIONS_TEST_DELAY", default=0.0)

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE.update(
    {
        # On the 1st of each month: the global overview as PDF, e-mailed to the Secretariat.
        "reports-global-overview-monthly": {
            "task": "reports.tasks.scheduled_report",
            "schedule": crontab(minute=0, hour=5, day_of_month=1),
            "kwargs": {"kind": "global", "format": "pdf"},
        },
        # Every Monday: the data-quality alerts as XLSX (lists to work through).
        "reports-data-quality-weekly": {
            "task": "reports.tasks.scheduled_report",
            "schedule": crontab(minute=0, hour=5, day_of_week="mon"),
            "kwargs": {"kind": "data_quality", "format": "xlsx"},
        },
        # Daily: ask roster entries due for their yearly check to confirm or hand over (access/tasks.py).
        "access-roster-check-daily": {
            "task": "access.tasks.ask_roster_confirmations",
            "schedule": crontab(minute=30, hour=6),
        },
        # Every minute: hand over the runs and e-mails requested while the broker was down (the outbox).
        "reports-dispatch-waiting": {
            "task": "reports.tasks.dispatch_waiting",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        # Hourly housekeeping: runs nobody is working on any more, and old files.
        "reports-housekeeping-hourly": {
            "task": "reports.tasks.housekeeping",
            "schedule": crontab(minute=17),
        },
    }
)

CELERY_BEAT_SCHEDULE.update(
    {
        # Every minute: send the notification e-mails that are due (the outbox: what waited while
        # the broker was down, retries that fell due); each e-mail is also queued when it is written.
        "cycle-send-emails": {"task": "cycle.tasks.send_emails", "schedule": 60.0, "options": {"expires": 55}},
        # Daily: workplans whose "no objection" deadline passed are endorsed, then deadline reminders.
        "cycle-close-endorsement-rounds": {
            "task": "cycle.tasks.close_endorsement_rounds",
            "schedule": crontab(minute=5, hour=0),
        },
        "cycle-remind-deadlines": {"task": "cycle.tasks.remind_deadlines", "schedule": crontab(minute=0, hour=6)},
        # The digests: every morning the daily ones, on Mondays the weekly ones and the Secretariat's.
        "cycle-daily-digests": {
            "task": "cycle.tasks.make_digests",
            "schedule": crontab(minute=0, hour=7),
            "kwargs": {"form": "daily"},
        },
        "cycle-weekly-digests": {
            "task": "cycle.tasks.make_digests",
            "schedule": crontab(minute=10, hour=7, day_of_week="mon"),
            "kwargs": {"form": "weekly"},
        },
        "cycle-secretariat-digest": {
            "task": "cycle.tasks.secretariat_digest",
            "schedule": crontab(minute=45, hour=6, day_of_week="mon"),
        },
    }
)

"""One settings module, read from the environment.

The defaults are the embedded mode (SQLite, a file-system Celery broker); setting
DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis without other changes.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # runtime files of the embedded mode: SQLite test files, broker, media

env = environ.Env()


def _strict_bool(name, default):
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ValueError(f"expected 1/0, true/false, yes/no or on/off, got {raw!r}")
    return raw in {"1", "true", "yes", "on"}


def _env(name, cast, default):
    """Read one variable; a bad value names the variable instead of a bare traceback."""
    if cast == env.bool:
        cast = _strict_bool
    try:
        return cast(name, default=default) if cast is not _strict_bool else cast(name, default)
    except (ValueError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name}: {exc}") from exc


DEBUG = _env("DEBUG", env.bool, False)
SECRET_KEY = _env("SECRET_KEY", env.str, "dev-only-key-8f3a1c9e2b7d4f60a5e1c3b9d7f2a4e6c8b0d1f3a5c7e9")
OPAQUE_ID_KEY = _env("OPAQUE_ID_KEY", env.str, "")  # empty: derived from SECRET_KEY (core/opaque.py)
ALLOWED_HOSTS = _env("ALLOWED_HOSTS", env.list, ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _env("CSRF_TRUSTED_ORIGINS", env.list, [])
SITE_URL = _env("SITE_URL", env.str, "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    # Ours, from the bottom of the dependency order up.
    "core",
    "accounts",
    "challenges",
    "submissions",
    "reviews",
    "awards",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.BodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "frontend.middleware.DomainErrorMiddleware",
    # Last, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.navigation",
            ],
        },
    },
]

# Database ---------------------------------------------------------------------

DATABASES = {"default": _env("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process share the file: wait for locks instead of failing,
    # and keep the test database on disk so an integration worker can open it too.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # One file per test run, so parallel runs on one machine do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _env("CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Plain cursors: fewer round trips, and safe behind pgbouncer in transaction mode.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, Celery and cache --------------------------------------------------------

REDIS_URL = _env("REDIS_URL", env.str, "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A broker that needs no server: messages are files under var/broker.
    for _folder in ("out", "control", "results"):
        (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "out"),
        "data_folder_out": str(VAR_DIR / "broker" / "out"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'broker' / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A private queue name lets test runs and several deployments share one broker.
CELERY_TASK_DEFAULT_QUEUE = _env("CELERY_QUEUE", env.str, "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands a message that a killed worker had taken to another worker only after this
# many seconds. It must be longer than any countdown we use (email retries back off up to
# 30 minutes), or a task waiting for its countdown would be handed out twice.
CELERY_VISIBILITY_TIMEOUT = _env("CELERY_VISIBILITY_TIMEOUT", env.int, 7200)
if REDIS_URL:
    # Each worker looks for such messages every 10 s (kombu's default is every 100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT, "unacked_restore_throttle": 1}
# Tasks retry a transient database error (connection lost, lock timeout) this many times,
# backing off from CELERY_DB_RETRY_BACKOFF seconds, then alert the operators.
CELERY_DB_RETRIES = _env("CELERY_DB_RETRIES", env.int, 5)
CELERY_DB_RETRY_BACKOFF = _env("CELERY_DB_RETRY_BACKOFF", env.int, 10)

# Authentication -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Years after leaving an organisation during which an expert still may not review its bids.
CONFLICT_WINDOW_YEARS = _env("CONFLICT_WINDOW_YEARS", env.int, 3)
# Issuers set these per programme; the defaults follow common practice.
RECTIFICATION_DAYS = _env("RECTIFICATION_DAYS", env.int, 90)
EXTENSION_MAX_MONTHS = _env("EXTENSION_MAX_MONTHS", env.int, 12)
ACCEPTANCE_EXPERTS = _env("ACCEPTANCE_EXPERTS", env.int, 5)
ACCEPTANCE_DAYS = _env("ACCEPTANCE_DAYS", env.int, 14)
INVITATION_VALID_DAYS = _env("INVITATION_VALID_DAYS", env.int, 14)

AXES_FAILURE_LIMIT = _env("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env("AXES_ENABLED", env.bool, True)
# Our own page, in the site's layout and language, instead of axes' bare English text.
AXES_LOCKOUT_TEMPLATE = "frontend/accounts/locked_out.html"

# Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and private files ---------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = _env("STATIC_ROOT", env.str, str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
# Private files: no MEDIA_URL route exists; every download goes through a permission check.
MEDIA_ROOT = _env("MEDIA_ROOT", env.str, str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _env("STATIC_MANIFEST", env.bool, False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# Size limit for one uploaded attachment; a setting because issuers differ.
UPLOAD_MAX_BYTES = _env("UPLOAD_MAX_BYTES", env.int, 50 * 1024 * 1024)


# Email ----------------------------------------------------------------------------

vars().update(_env("EMAIL_URL", env.email_url, "consolemail://"))
if _env("EMAIL_FILE_PATH", env.str, ""):
    # Each message as a file: for the integration tests and for demos without SMTP.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "noreply@bounty.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# API ------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous caller gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    # JSON only; the upload endpoints declare multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Challenge bounty platform API",
    "DESCRIPTION": "揭榜挂帅: challenges, bids, reviews and awards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api_schema.document_errors"],
}

# Security headers -------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Swagger UI sets inline styles; scripts stay strict.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env("SECURE_SSL_REDIRECT", env.bool, False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env("SECURE_COOKIES", env.bool, not DEBUG and SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = _env("SECURE_HSTS_SECONDS", env.int, 31536000 if SECURE_SSL_REDIRECT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

# Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", env.str, "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

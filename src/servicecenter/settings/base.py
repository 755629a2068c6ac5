"""Settings shared by every environment, driven by environment variables.

| variable        | meaning                                               | default                        |
|-----------------|-------------------------------------------------------|--------------------------------|
| DATABASE_URL    | database (postgres://… or sqlite:///…)                | sqlite file under ./var/       |
| REDIS_URL       | Celery broker/result backend and cache; unset = embedded (tasks run in-process) | unset |
| SECRET_KEY      | Django secret key                                     | a development key (never in production) |
| ALLOWED_HOSTS   | comma-separated host names                            | localhost,127.0.0.1            |
| TIME_ZONE       | default time zone of centers                          | Asia/Shanghai                  |
| DEBUG           | 1 to enable                                           | 0                              |
| SC_VAR_DIR      | where the SQLite file, uploads and logs live         | ./var                          |
| SITE_URL        | absolute base URL for links in SMS/IM notifications   | unset (relative links)         |
| NOTIFICATION_*  | channels and their webhooks/gateways (docs/notifications.md) | inapp only              |
| CUSTOMER_MESSAGE_CHANNEL | texts to customers (complaint status, survey links): sms / capture | sms |
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SC_VAR_DIR", Path.cwd() / "var")).resolve()
# The embedded default keeps its SQLite file, uploads and collected static files here.
(VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "bootstrap",
    "simple_history",
    "axes",
    # ServiceCenter apps, in dependency order (STYLE.md §2.1): core → policy → org → the rest.
    "servicecenter.core",
    "servicecenter.policy",
    "servicecenter.org",
    "servicecenter.workcalendar",
    "servicecenter.notifications",
    "servicecenter.approvals",
    "servicecenter.customers",
    "servicecenter.leave",
    "servicecenter.rosters",
    "servicecenter.attendance",
    "servicecenter.workorders",
    "servicecenter.complaints",
    "servicecenter.callbacks",
    "servicecenter.points",
    "servicecenter.appraisal",
    "servicecenter.renewals",
    "servicecenter.pay",
    "servicecenter.demo",  # management commands only (no models): load_demo, run_periodic_jobs
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "servicecenter.core.middleware.RequestIdMiddleware",
    "servicecenter.core.middleware.RejectNullCharactersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicecenter.urls"
WSGI_APPLICATION = "servicecenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicecenter.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'servicecenter.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the embedded server read while a request writes; 20 s lock wait instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "servicecenter.core.auth.CaseInsensitiveModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "servicecenter.core.auth.axes_username"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with REDIS_URL the tasks go to real workers; without it (embedded mode, `make demo`) they run
# in-process right after the transaction commits, and `servicecenter serve` runs the periodic jobs itself.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "servicecenter")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "servicecenter.core.api.Pagination",
    # The API speaks JSON only: form encodings would turn an empty field into null behind the schema's back.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "servicecenter.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ServiceCenter API",
    "DESCRIPTION": "服务中心管理系统 API. Errors: {code, message, fields, clause}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its 4xx answers in the one error format (tests/api fuzzes against this).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicecenter.core.api.document_error_responses",
    ],
    # Several models have a `status` field; name their enums apart so the schema has no collisions.
    "ENUM_NAME_OVERRIDES": {
        "StaffStatusEnum": "servicecenter.org.choices.StaffStatus",
        "StaffImportStatusEnum": "servicecenter.org.choices.StaffImportStatus",
        "OrganizationKindEnum": "servicecenter.org.choices.OrganizationKind",
        "LeaveKindEnum": "servicecenter.leave.choices.LeaveKind",
        "LeaveStatusEnum": "servicecenter.leave.choices.LeaveStatus",
        "HalfDayEnum": "servicecenter.leave.choices.Half",
        "OrderKindEnum": "servicecenter.workorders.choices.OrderKind",
        "OrderStatusEnum": "servicecenter.workorders.choices.OrderStatus",
    },
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Notification channels (servicecenter.notifications.channels). In-app is always on.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", "inapp")
# Texts to customers (complaint status CMP-11, survey links CB-14): "sms" = the SMS gateway below; "capture" = tests.
CUSTOMER_MESSAGE_CHANNEL = os.environ.get("CUSTOMER_MESSAGE_CHANNEL", "sms")
NOTIFICATION_SMS_GATEWAY_URL = os.environ.get("NOTIFICATION_SMS_GATEWAY_URL", "")
NOTIFICATION_WECOM_WEBHOOK_URL = os.environ.get("NOTIFICATION_WECOM_WEBHOOK_URL", "")
NOTIFICATION_DINGTALK_WEBHOOK_URL = os.environ.get("NOTIFICATION_DINGTALK_WEBHOOK_URL", "")
NOTIFICATION_DINGTALK_SECRET = os.environ.get("NOTIFICATION_DINGTALK_SECRET", "")
# Absolute base URL (e.g. https://sc.example.org) used to turn relative links into full ones in SMS/IM messages.
SITE_URL = os.environ.get("SITE_URL", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicecenter@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "servicecenter.core.middleware.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

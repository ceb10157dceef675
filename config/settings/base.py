"""Settings, read from the environment in this one place.

Without DATABASE_URL the project runs on an SQLite file under ``var/`` (git-ignored), so a new
user needs nothing but Python. Production (DEBUG off) refuses to start without a secret key and
allowed hosts.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in the environment when DEBUG is off."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ckeditor",
    "auditlog",
    # The task queue (django-tasks) and its database backend: imports run outside requests.
    # Before the project's apps, whose admin takes the queue's untranslated screen away.
    "django_tasks",
    "django_tasks_db",
    "core",
    "notices",
    "assessments",
    "importer",
    "audit",
    "exports",
    "search",
    "applications",
    "annual_reports",
    "editorial_checks",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.db_router.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached portal pages for readers without a session, before the session is even loaded.
    "core.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # A database failure in a view → the 503 page (config.urls.handler500 covers middleware).
    "core.reliability.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "notices.context_processors.portal",
                "portal.identity.context",
            ],
        },
    },
    {
        # The hot rows' templates only (core/templating.py).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.templating.environment"},
    },
]

# The hot pages' queries are prepared on the server once per connection (notices/prepared.py);
# off behind a pooler that shares server connections between transactions (PgBouncer's
# pool_mode = transaction), where a session's prepared statements are not kept.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)


def database(url: str) -> dict:
    # A kept connection is checked (SELECT 1) as a request starts only when it has been idle
    # (core/connection_checks.py), not before every request as Django's CONN_HEALTH_CHECKS
    # would; after an error Django closes it at the end of the request either way.
    return dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=False,
    )


# Seconds after which a kept connection is checked before a request uses it; 0 checks before
# every request, a negative value never (behind a pooler that checks connections itself).
DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS = float(
    os.environ.get("DB_HEALTH_CHECK_AFTER_IDLE_SECONDS", "0.5")
)


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while a writer holds the lock; wait instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A read replica for anonymous portal reads (config/db_router.py); writes stay on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
USE_READ_REPLICA = "replica" in DATABASES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "disclosure"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins (SECURITY.md): django-axes counts failures per username and address and locks that pair
# out; its backend must come first so that a locked-out login is refused before the password is
# checked. Locked pairs are released with `manage.py axes_reset_username <name>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
# Lockouts are read in the audit history (failed logins) and released by command, not in the
# admin, whose every list the 审计 role must be able to read.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Optional second factor: staff get a TOTP device (admin → TOTP devices); when this is on, the
# admin asks for the code at login and refuses staff without a verified device.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF")
OTP_TOTP_ISSUER = os.environ.get("PORTAL_NAME", "政府信息公开平台")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese wording that replaces Django's and django-otp's where theirs is missing or reads badly.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Files: the local disk by default; S3-compatible storage when MEDIA_BUCKET is set, so that
# several app servers share one store. Attachments are always served through a view that checks
# publication, never from a public media URL.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
if MEDIA_BUCKET:
    media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_REGION") or None,
            "access_key": os.environ.get("MEDIA_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MEDIA_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Signed audit checkpoints live outside the database: a folder on a disk the database's owner
# cannot write, or an S3-compatible bucket with Object Lock and a default retention.
AUDIT_CHECKPOINT_BUCKET = os.environ.get("AUDIT_CHECKPOINT_BUCKET", "")
if AUDIT_CHECKPOINT_BUCKET:
    STORAGES["audit_checkpoints"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AUDIT_CHECKPOINT_BUCKET,
            **{
                option: os.environ.get(f"AUDIT_CHECKPOINT_{name}")
                or os.environ.get(f"MEDIA_{name}")
                or None
                for option, name in [
                    ("endpoint_url", "ENDPOINT_URL"),
                    ("region_name", "REGION"),
                    ("access_key", "ACCESS_KEY_ID"),
                    ("secret_key", "SECRET_ACCESS_KEY"),
                ]
            },
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
else:
    STORAGES["audit_checkpoints"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": Path(os.environ.get("AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(50 * 1024 * 1024)))
# Calendar days after an application is archived before the applicant's identity documents are
# deleted (applications/retention.py; docs/applications.md).
APPLICATION_IDENTITY_RETENTION_DAYS = int(
    os.environ.get("APPLICATION_IDENTITY_RETENTION_DAYS", "365")
)
# Long work (importing legacy files) is queued in the database and run by `manage.py db_worker`
# (README, "Deploying"); each file's parsing is limited in time and memory (importer/tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMPORT_TIME_LIMIT_SECONDS = int(os.environ.get("IMPORT_TIME_LIMIT_SECONDS", "60"))


def env_period(name: str, default: int, unit: str) -> datetime.timedelta | None:
    """How often a scheduled job runs, a whole number of ``unit`` (minutes, hours); 0: never."""
    value = int(os.environ.get(name) or default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 (off) or a positive number of {unit}.")
    return datetime.timedelta(**{unit: value}) if value else None


# The built-in schedule (core/schedule.py), run by `manage.py run_schedule` on any number of
# servers: each job's task is queued once when it falls due, whatever runs it. A job every whole
# number of days runs at SCHEDULE_DAILY_AT (local time), the others from when they are set up.
SCHEDULE = {
    "audit_checkpoint": {
        "task": "audit.tasks.record_checkpoint",
        "label": "签署审计历史检查点",
        "every": env_period("SCHEDULE_AUDIT_CHECKPOINT_MINUTES", 5, "minutes"),
    },
    "prune_task_results": {
        "task": "core.tasks.prune_task_results",
        "label": "清理已完成的后台任务记录",
        "every": env_period("SCHEDULE_PRUNE_TASK_RESULTS_HOURS", 24, "hours"),
    },
    "delete_expired_identity_documents": {
        "task": "applications.tasks.delete_expired_identity_documents",
        "label": "删除到期的申请人身份证明材料",
        "every": env_period("SCHEDULE_IDENTITY_DOCUMENTS_HOURS", 24, "hours"),
    },
    "check_links": {
        "task": "editorial_checks.tasks.check_published_links",
        "label": "检查已发布信息正文中的链接",
        "every": env_period("SCHEDULE_CHECK_LINKS_HOURS", 7 * 24, "hours"),
    },
}
try:
    SCHEDULE_DAILY_AT = datetime.time.fromisoformat(os.environ.get("SCHEDULE_DAILY_AT") or "03:00")
except ValueError as error:
    raise ImproperlyConfigured("SCHEDULE_DAILY_AT must be a time of day such as 03:00.") from error
IMPORT_MEMORY_LIMIT_BYTES = int(os.environ.get("IMPORT_MEMORY_LIMIT_MB", "512")) * 1024 * 1024
# Mail to applicants (applications/notifications.py), sent from the task queue. Without
# EMAIL_HOST messages are written as files under var/mail (the demo); with it, over SMTP.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# The portal's address as applicants reach it, for links in mail (e.g. https://gk.example.gov.cn).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "")
# The link checker (editorial_checks/links.py) fetches no address on a private, loopback or
# link-local network (the server's own network) unless this is on.
LINK_CHECK_ALLOW_PRIVATE = env_bool("LINK_CHECK_ALLOW_PRIVATE")

LOGIN_URL = "admin:login"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production is HTTPS only by default; each can be turned off for a deployment that must.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Audit history: django-auditlog writes into audit.AuditEvent, an append-only hash chain.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEvent"
AUDITLOG_STORE_JSON_CHANGES = True
# auditlog's own migrations would create its unused default table (swapped out above), which
# then blocks TRUNCATE of auth_user through its foreign key; without them it is never created.
MIGRATION_MODULES = {"auditlog": None}
# Keys that make the history tamper-evident against whoever controls the database (see
# docs/audit.md): AUDIT_SEAL_KEY keys each event's seal (HMAC), AUDIT_SIGNING_KEY (base64 of a
# 32-byte Ed25519 seed, `manage.py audit_keys --new`) signs the checkpoints. Without them both
# are derived from SECRET_KEY, and `manage.py check --deploy` warns.
AUDIT_SEAL_KEY = os.environ.get("AUDIT_SEAL_KEY", "")
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", "")
# A signed checkpoint (count and head hash) is written outside the database after every this
# many events, by every export, and by the schedule (SCHEDULE, `manage.py audit_checkpoint`).
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "100"))
# Behind reverse proxies that append to X-Forwarded-For, how many of them there are: the client's
# address (audit history, login lockout) is the entry that many from the right, which no client
# can forge. 0 ignores the header. TRUST_X_FORWARDED_FOR=1, the older setting, means one proxy.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT") or ("1" if env_bool("TRUST_X_FORWARDED_FOR") else "0")
)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or a positive number of proxies.")

# Anonymous portal pages are cached this long (0 turns the page cache off); a publication,
# correction or withdrawal invalidates the pages that show it at once (core/page_cache.py).
# Views are counted in Redis when REDIS_URL is set and flushed to the database in batches.
PORTAL_PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", "300"))
# The small lists that every page shows (filter options, the topic tree) are kept the same way,
# also when the pages themselves are not (notices/shared_lists.py).
PORTAL_LISTS_CACHE_SECONDS = int(os.environ.get("PORTAL_LISTS_CACHE_SECONDS", "300"))
# Each process checks the database's page generation at most this often; a change whose
# invalidation could not reach the cache waits this long before it answers (page_cache.py).
PORTAL_GENERATION_CHECK_SECONDS = float(os.environ.get("PORTAL_GENERATION_CHECK_SECONDS", "1"))
# A CDN in front of the portal (README, "Deploying"): cached pages tell it to keep them this many
# seconds (Cache-Control s-maxage; 0: no such header) and carry their tags in CDN_TAG_HEADER
# (Fastly's Surrogate-Key; Cache-Tag for Cloudflare); CDN_PURGE_CALLABLE, the dotted path of a
# function, is called with the tags of each change once it commits, to purge those pages.
PORTAL_CDN_SECONDS = int(os.environ.get("PORTAL_CDN_SECONDS", "0"))
CDN_TAG_HEADER = os.environ.get("CDN_TAG_HEADER", "Surrogate-Key")
CDN_PURGE_CALLABLE = os.environ.get("CDN_PURGE_CALLABLE", "")
VIEW_COUNTER_REDIS_URL = os.environ.get("VIEW_COUNTER_REDIS_URL", "")

# Full-text search (search/): a search lists its matches from the gram index when they are at
# most SEARCH_CANDIDATE_LIMIT; grams in at least that many entries and SEARCH_COMMON_GRAM_SHARE
# of them are left out of the index (measured on SEARCH_GRAM_SAMPLE notices at a full rebuild),
# and searches made only of them read entries in date order instead. The gram indexes are built
# with SEARCH_INDEX_BUILD_MEMORY of maintenance_work_mem per partition.
SEARCH_CANDIDATE_LIMIT = int(os.environ.get("SEARCH_CANDIDATE_LIMIT", "20000"))
SEARCH_COMMON_GRAM_SHARE = float(os.environ.get("SEARCH_COMMON_GRAM_SHARE", "0.02"))
SEARCH_TITLE_COMMON_SHARE = float(os.environ.get("SEARCH_TITLE_COMMON_SHARE", "0.002"))
SEARCH_GRAM_SAMPLE = int(os.environ.get("SEARCH_GRAM_SAMPLE", "20000"))
SEARCH_INDEX_BUILD_MEMORY = os.environ.get("SEARCH_INDEX_BUILD_MEMORY", "256MB")
# A search still running after this many milliseconds is cancelled with a message (PostgreSQL).
SEARCH_TIMEOUT_MS = int(os.environ.get("SEARCH_TIMEOUT_MS", "5000"))
# The search backend (search/backends/): a dotted path; empty picks PostgreSQL's gram engine on
# PostgreSQL and the plain scan elsewhere.
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "")

# The portal's name as shown in headers, feeds and titles.
PORTAL_NAME = os.environ.get("PORTAL_NAME", "政府信息公开平台")

# The rich-text editor (django-ckeditor's CKEditor 4). What a 公文 needs of layout is written as
# classes that notices/sanitize.py keeps and static/css/notice-body.css draws, never as inline
# styles (the portal's CSP forbids them): alignment by justifyClasses (centred headings, the
# signature and date at the right), tables with their row and column tools, and images that are
# uploaded to the notice being edited ("../images/" from its change page, notices/images.py),
# checked as attachments are and referred to by the attachment's URL.
CKEDITOR_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "toolbar": "Custom",
        "toolbar_Custom": [
            ["Format", "Bold", "Italic", "Underline", "Strike", "Subscript", "Superscript"],
            ["JustifyLeft", "JustifyCenter", "JustifyRight", "JustifyBlock"],
            ["NumberedList", "BulletedList", "Blockquote", "HorizontalRule"],
            ["Link", "Unlink", "Table", "Image"],
            ["Undo", "Redo", "RemoveFormat", "Source"],
        ],
        "format_tags": "p;h2;h3;h4",
        "justifyClasses": ["text-left", "text-center", "text-right", "text-justify"],
        "extraPlugins": "justify,tabletools,tableselection,uploadimage",
        "removePlugins": "image2,flash,iframe,exportpdf,forms,smiley,templates",
        # The editor keeps only what the sanitizer keeps: no style attribute, no font tags.
        "disallowedContent": "*[style]{*}; font",
        "filebrowserImageUploadUrl": "../images/",
        "imageUploadUrl": "../images/",
        "filebrowserUploadMethod": "xhr",
        "removeDialogTabs": "image:advanced;image:Link;link:advanced;table:advanced",
        "image_prefillDimensions": False,
        "image_previewText": " ",
        "contentsCss": [STATIC_URL + "css/notice-body.css"],
        "bodyClass": "notice__body",
        "height": 420,
        "width": "100%",
    }
}

# django-ckeditor warns that its bundled CKEditor 4 is unsupported upstream. Mitigated here: the
# editor exists only in the staff-only admin, its only upload is a body image that passes the
# attachment checks (notices/images.py), every save is sanitized with nh3 (notices/sanitize.py)
# and the portal serves the stored HTML under a strict CSP (SECURITY.md).
# HSTS preloading (security.W021) commits the whole registrable domain, other sites of the
# government included, to HTTPS in browsers for months; it is the domain owner's decision, made
# with SECURE_HSTS_PRELOAD=1, not this application's default.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001", "security.W021"]
# Which widget edits rich text in the admin (SECURITY.md): e.g. "django.forms.Textarea".
RICH_TEXT_WIDGET = os.environ.get("RICH_TEXT_WIDGET", "ckeditor.widgets.CKEditorWidget")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

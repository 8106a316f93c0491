"""Settings for Kick With Reverb, read from the environment (and `.env` when present).

With nothing configured the app runs on embedded defaults: SQLite, the in-memory channel layer,
the local-memory cache, kick audio on the filesystem and the local CPU model. Each production part
is switched on by its environment variable (see README.md, "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, WASM_UNSAFE_EVAL
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (or .env) before running "
            "with DEBUG off; for local development set DEBUG=true."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "channels",
    "allauth",
    "allauth.account",
    "accounts",
    "presets",
    "kickgen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "kickwithreverb.urls"
WSGI_APPLICATION = "kickwithreverb.wsgi.application"
ASGI_APPLICATION = "kickwithreverb.asgi.application"

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
            ],
        },
    },
]


def database_config() -> dict:
    """DATABASE_URL wins; else the seed's DB_* variables; else a SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=0)
    elif os.environ.get("DB_NAME"):
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["DB_NAME"],
            "USER": os.environ.get("DB_USER", ""),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", ""),
            "PORT": os.environ.get("DB_PORT", ""),
        }
    else:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    if config["ENGINE"].endswith("postgresql"):
        # Under ASGI each request may run in a different thread: persistent connections leak.
        config["CONN_MAX_AGE"] = 0
        # A transaction-mode pooler (Supabase :6543) cannot keep a cursor across transactions.
        config["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
            "DB_DISABLE_SERVER_SIDE_CURSORS", default=str(config.get("PORT")) == "6543"
        )
    return config


DATABASES = {"default": database_config()}

# No endpoint takes a file; larger bodies are refused with 413 (site/body_limit.py).
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(256 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # site/cache.py and site/channel_layer.py say why each option is what it is.
    CACHES = {
        "default": {
            "BACKEND": "kickwithreverb.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": 50,
                "timeout": 5,
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
                "health_check_interval": 30,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "kickwithreverb.channel_layer.ProductionRedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The embedded default has one process, so a per-process cache is the shared cache;
    # README.md says that rate limits are per-process here.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MIMETYPES = {".wasm": "application/wasm", ".mjs": "text/javascript"}

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Kept in the default cache: Redis in production, so they hold across processes.
ACCOUNT_RATE_LIMITS = {"login": "10/m/ip", "signup": "5/h/ip"}
# Behind N proxies that append to X-Forwarded-For, the client is the N-th address from the right;
# 0 trusts only the socket address (what daphne --proxy-headers put there).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# django-ratelimit (used by kickgen) answers 429 with the same page as allauth's limits.
RATELIMIT_VIEW = "accounts.views.too_many_requests"

# Password-reset mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kick With Reverb <noreply@localhost>")

# Supabase Storage for generated kicks (filesystem when unset).
SUPABASE_URL = os.environ.get("SUPABASE_URL", "")
SUPABASE_SERVICE_KEY = os.environ.get("SUPABASE_SERVICE_KEY", "")
SUPABASE_BUCKET = os.environ.get("SUPABASE_BUCKET", "generated-kicks")

# Kick generator: "local" (the gpu pipeline in-process) or "modal" (set by MODAL_TOKEN_ID).
KICKGEN_BACKEND = os.environ.get(
    "KICKGEN_BACKEND", "modal" if os.environ.get("MODAL_TOKEN_ID") else "local"
)
KICKGEN_TIMEOUT_S = float(os.environ.get("KICKGEN_TIMEOUT_S", "120"))
KICKGEN_MODEL_PATH = os.environ.get("KICKGEN_MODEL_PATH", str(BASE_DIR / "gpu" / "weights"))
KICKGEN_HUB_REPO = os.environ.get("KICKGEN_HUB_REPO", "")
KICKGEN_HUB_REVISION = os.environ.get("KICKGEN_HUB_REVISION", "main")
# Parallel jobs per process (0: one per two cores for the local model, 8 for Modal), torch threads
# for the in-process model (0: half the cores), and the generate endpoint's burst throttle.
KICKGEN_MAX_PARALLEL = int(os.environ.get("KICKGEN_MAX_PARALLEL", "0"))
KICKGEN_TORCH_THREADS = int(os.environ.get("KICKGEN_TORCH_THREADS", "0"))
KICKGEN_BURST_RATE = os.environ.get("KICKGEN_BURST_RATE", "6/m")

# No inline script or style anywhere (htmx runs with allowEval off and without its injected
# styles); 'wasm-unsafe-eval' lets the page compile the engine's WebAssembly and nothing else.
# 'self' covers the page's own WebSocket; kicks stored on Supabase are fetched from its URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, WASM_UNSAFE_EVAL],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF, *([SUPABASE_URL.rstrip("/")] if SUPABASE_URL else [])],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Platform health checks call the container over plain HTTP, without the proxy's header.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)

# Django's default logging gives the "django" logger its own console handler (DEBUG only), and
# its records also reach the root's: every server line (runserver's request log included) came
# out twice. The "django" logger writes through the one console handler, DEBUG or not.
log_level = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": log_level},
    "loggers": {"django": {"handlers": ["console"], "level": log_level, "propagate": False}},
}

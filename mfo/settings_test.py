"""Test overrides: the real PostgreSQL and Redis on this machine, a fast password hasher."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mfo")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-only-key-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from mfo.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []  # noqa: F405
HEAVY_PAGE_RATE = None  # the throttling tests set their own rate

# One test database per run, so that runs side by side (developers, CI) never share one.
DATABASES["default"]["TEST"] = {"NAME": f"test_mfo_{os.getpid()}"}  # noqa: F405
MEDIA_ROOT = Path(tempfile.gettempdir()) / "mfo-test-media"

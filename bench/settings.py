"""The production settings with one extra URL, `/bench/bare`, for the load test's baseline.

gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings only under bench/load.py; nothing else uses it.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

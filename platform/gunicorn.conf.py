# Gunicorn settings, all overridable from the environment so the same file serves
# a laptop, a container and a VM.  Loaded with `-c platform/gunicorn.conf.py`;
# this directory is never imported as a package.
import os


def _cpu_count():
    # sched_getaffinity respects CPU pinning (containers, taskset); cpu_count does not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _env(name, default):
    # An empty variable (e.g. "PORT=" in an env file) means "use the default".
    return os.environ.get(name) or default


bind = f"0.0.0.0:{_env('PORT', '8000')}"

# 2*cores+1 is Gunicorn's rule of thumb; the cap keeps a large host from opening
# more PostgreSQL connections (one per worker thread) than the server allows.
workers = int(_env("WEB_CONCURRENCY", min(2 * _cpu_count() + 1, 8)))
# A couple of threads hide I/O waits (database, SMTP) without the memory of extra processes.
threads = int(_env("GUNICORN_THREADS", 2))

timeout = 30
graceful_timeout = 30
keepalive = 5

# No periodic recycling: under load a recycled threaded worker dropped requests it had
# accepted but not answered (seen by bench/load.py --recycle). Set MAX_REQUESTS only to
# contain a leak you have found.
max_requests = int(_env("MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10

accesslog = "-"
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")

# Which peers may set X-Forwarded-Proto for wsgi.url_scheme.  Only widen this
# (e.g. "*") when Gunicorn is reachable solely through the reverse proxy.
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Each worker imports Django itself, so DB connections and Celery producers
# are never shared across a fork.
preload_app = False

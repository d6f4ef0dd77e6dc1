import subprocess
import sys

from django.conf import settings


def _check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check(
        {
            "SECRET_KEY": "x" * 20 + "a-production-secret-with-enough-entropy-0123456789",
            "ALLOWED_HOSTS": "bounty.example.cn",
            "SECURE_SSL_REDIRECT": "1",
            "DEBUG": "0",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_environment_value_names_the_variable():
    result = _check({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr

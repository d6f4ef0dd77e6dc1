"""Every string in the templates and Python code has a Simplified Chinese translation."""

import re
import shutil

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")


def _entries(po_text: str):
    """(msgid, msgstr, fuzzy) for each entry of a .po file, plural forms folded into msgstr."""
    for block in po_text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstr, current = [], [], None
        for line in lines:
            if line.startswith("msgid "):
                current = msgid
            elif line.startswith("msgstr"):
                current = msgstr
            elif line.startswith(("#", "msgctxt", "msgid_plural")):
                current = None if line.startswith("#") else current
                continue
            if current is not None:
                match = re.search(r'"(.*)"', line)
                current.append(match.group(1) if match else "")
        if msgid:
            yield "".join(msgid), "".join(msgstr), fuzzy


SKIP = {".git", ".venv", "node_modules", "var", "tests", "bench", "test-artifacts", "staticfiles", "__pycache__"}


def test_the_chinese_catalogue_is_complete(settings, tmp_path, monkeypatch):
    # Extract from a copy of the sources, so the committed catalogue is never rewritten.
    copy = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, copy, ignore=lambda folder, names: [n for n in names if n in SKIP])
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    text = (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    missing = [msgid for msgid, msgstr, fuzzy in _entries(text) if msgid and (not msgstr or fuzzy)]
    assert not missing, f"{len(missing)} strings lack a Chinese translation, e.g. {missing[:10]}"

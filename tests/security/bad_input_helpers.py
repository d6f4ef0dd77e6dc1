"""Small tools for the bad-input catalogue: snapshots of rows, file bodies, error-shape checks."""

import io
import os
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def zip_bomb(size: int = 20 * 1024 * 1024) -> bytes:
    """A small zip that inflates to `size` bytes of zeros: accepted only as the opaque archive it is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.bin", b"\x00" * size)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def snapshot(instance) -> dict:
    """Every concrete field of the row as stored now."""
    fresh = type(instance).objects.get(pk=instance.pk)
    return model_to_dict(fresh, fields=[f.name for f in fresh._meta.concrete_fields])


def stored_files(root) -> list[str]:
    """Every file under the private storage root, relative to it."""
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, name), root) for name in names]
    return sorted(found)


def assert_error_body(response, *statuses):
    """A refusal in the API's one error shape, with one of the expected statuses."""
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    assert isinstance(body["fields"], dict) and body["detail"], body
    return body


def form_data(*forms) -> dict:
    """What a browser would post back for these forms (and formsets) as they are shown."""
    from datetime import datetime
    from decimal import Decimal

    from django.forms import BaseFormSet

    data = {}
    for form in forms:
        if isinstance(form, BaseFormSet):
            data.update(form_data(form.management_form, *form.forms))
            continue
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            elif isinstance(value, datetime):
                data[bound.html_name] = value.strftime("%Y-%m-%dT%H:%M")
            elif isinstance(value, Decimal):
                data[bound.html_name] = format(value, "f")
            else:
                data[bound.html_name] = str(getattr(value, "pk", value))
    return data

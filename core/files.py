"""Private files: checked by their content, stored under opaque names, never given a public URL."""

import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

# What a file's bytes may say it is, and the extensions that go with it.
ALLOWED_TYPES = {
    "application/pdf": {".pdf"},
    "application/msword": {".doc"},
    "application/vnd.ms-excel": {".xls"},
    "application/vnd.ms-powerpoint": {".ppt"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "application/zip": {".zip", ".docx", ".xlsx", ".pptx"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
}


def private_storage():
    """The storage for private files: local disk, or object storage when configured."""
    return default_storage


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def safe_name(name: str) -> str:
    """A display name without paths, control characters or leading dots."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().lstrip(".").replace("/", "_")
    stem, extension = os.path.splitext(base)
    if len(extension) > 16:
        stem, extension = base, ""
    # Shorten the stem, not the extension: the extension is checked against the content.
    return (stem[: 150 - len(extension)].rstrip() + extension) or "file"


def check_upload(upload) -> CheckedFile:
    """Refuse a file whose size or real type is not allowed, with a message saying why."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is allowed.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    name = safe_name(upload.name)
    extension = os.path.splitext(name)[1].lower()
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("This type of file is not accepted. Upload a PDF, an Office document, an image or a zip archive."),
            code="bad_type",
        )
    if extension not in ALLOWED_TYPES[kind.mime]:
        raise ValidationError(_("The file's content does not match its name (%(name)s).") % {"name": name}, code="type_mismatch")
    return CheckedFile(name=name, content_type=kind.mime, size=upload.size)


def download_response(field_file, *, name: str, content_type: str) -> FileResponse:
    """Stream a private file as an attachment; never inline, never sniffed."""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

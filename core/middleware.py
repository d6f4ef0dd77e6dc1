import codecs
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import context
from .api import error_body

# How many files one form may carry at most (objection evidence takes five).
FILES_PER_REQUEST = 5


class RequestIdMiddleware:
    """Tag each request with an id (the proxy's X-Request-ID if sane) for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        token = context.request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class BodyLimitMiddleware:
    """Turn away bodies no view could take (see `refuse_body`) before anything reads them.

    It sits after the locale middleware, so the refusal is in the caller's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return refuse_body(request) or self.get_response(request)


def body_limit(content_type: str) -> int:
    """The largest body a request may have: files for multipart, the form limit for everything else."""
    if content_type.startswith("multipart/"):
        return getattr(settings, "UPLOAD_MAX_REQUEST_BYTES", settings.UPLOAD_MAX_BYTES * FILES_PER_REQUEST) + (
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        )
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0


def refuse_body(request):
    """A 413 for a body above the limits and a 415 for a charset nobody knows; None when the body may pass.

    Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when it reads the body itself (DRF's parsers
    stream it), and never caps a multipart body's files; the declared length is checked here instead.
    """
    content_type = request.META.get("CONTENT_TYPE") or ""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = body_limit(content_type.lower())
    if limit and length > limit:
        message = _("The request is too large: %(size)s MB; at most %(limit)s MB is accepted.") % {
            "size": round(length / 1048576, 1),
            "limit": round(limit / 1048576, 1),
        }
        return _refusal(request, 413, "too_large", message)
    charset = _charset(content_type)
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            message = _("The character set %(charset)s is not supported; send UTF-8.") % {"charset": charset[:40]}
            return _refusal(request, 415, "unsupported_media_type", message)
    return None


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _sep, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return ""


def _refusal(request, status: int, code: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "frontend/errors/error.html", {"status": status, "message": message}, status=status)

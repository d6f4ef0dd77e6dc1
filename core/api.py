"""API plumbing shared by every app: the error format, pagination, base permissions."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def error_body(code: str, detail, fields: dict | None = None) -> dict:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


def _flatten(detail) -> dict:
    """DRF's nested error detail as {field: [messages]}; nested objects use dotted names."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and value and not isinstance(value[0], str | exceptions.ErrorDetail):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}", item)
        else:
            items = value if isinstance(value, list) else [value]
            out.setdefault(prefix or "non_field_errors", []).extend(str(i) for i in items if str(i))

    walk("", detail)
    return out


def exception_handler(exc, context):
    """Every failure in one shape: {"code", "detail", "fields"}."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RecursionError):
        # Only the JSON parser recurses on input: a body nested thousands deep is bad input, not a bug.
        exc = exceptions.ParseError(_("The JSON is nested too deeply."))
    elif isinstance(exc, OverflowError):
        # A date or number at the edge of its range (year 1 in UTC+8) that a filter passed on as is.
        exc = exceptions.ValidationError({"non_field_errors": [_("A date or number is out of range.")]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [_("Invalid input.")])[0]
        summary = first if list(fields) == ["non_field_errors"] else _("Some fields are invalid.")
        response.data = error_body("invalid", summary, fields)
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = error_body(code, exc.detail if isinstance(exc.detail, str) else _("Request failed."))
    return response


def json_error_response(code: str, detail, status_code: int) -> Response:
    return Response(error_body(code, detail), status=status_code)


NOT_FOUND = status.HTTP_404_NOT_FOUND

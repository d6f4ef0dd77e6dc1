"""Error pages; under /api/ they answer in the API's error format instead."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.api import error_body


def _answer(request, status: int, code: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "frontend/errors/error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _answer(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _answer(request, 403, "permission_denied", _("You may not do this."))


def page_not_found(request, exception=None):
    return _answer(request, 404, "not_found", _("Not found."))


def server_error(request):
    return _answer(request, 500, "server_error", _("Something went wrong on our side. It has been logged."))

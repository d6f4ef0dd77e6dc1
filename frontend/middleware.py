from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError


class DomainErrorMiddleware:
    """A page whose action hit a state conflict shows the reason instead of a 500.

    Views with forms put such errors on the form; this catches the rest (buttons).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or not isinstance(exception, DomainError | ValidationError):
            return None
        message = exception.message if isinstance(exception, DomainError) else "; ".join(exception.messages)
        back = request.headers.get("Referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(back, {request.get_host()}):
            messages.error(request, message)
            return redirect(back)
        status = 409 if isinstance(exception, DomainError) else 400
        return render(request, "frontend/errors/error.html", {"status": status, "message": message}, status=status)

"""Helpers every page view uses to turn service errors into form errors."""

from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError

from core.errors import DomainError


@contextmanager
def errors_into(form: forms.Form):
    """Run a service call; its ValidationError or DomainError lands on the form.

    Usage: `with errors_into(form) as result: ...`; check `form.errors` afterwards.
    """
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    except DomainError as exc:
        form.add_error(None, exc.message)

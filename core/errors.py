"""Domain errors: one family, mapped to 409 by the API and to form errors by pages."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request that is well formed but conflicts with the current state."""

    code = "conflict"
    status = 409

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, *, obj, action, state_field: str = "status"):
        state = getattr(obj, f"get_{state_field}_display", lambda: getattr(obj, state_field))()
        super().__init__(
            _("Cannot %(action)s a %(model)s that is %(state)s.")
            % {"action": action, "model": obj._meta.verbose_name, "state": str(state).lower()}
        )

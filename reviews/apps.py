from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from core import clock

        from . import adapters  # noqa: F401  (registers the bid adapter)
        from .services import deadlines

        clock.register("reviews.start_rounds")(deadlines.start_due_rounds)
        clock.register("reviews.expire_invitations")(deadlines.expire_invitations)
        clock.register("reviews.remind")(deadlines.send_reminders)
        clock.register("reviews.close_rounds")(deadlines.close_due_rounds)

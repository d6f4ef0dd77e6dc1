from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from core import clock

        from . import adapters, services  # noqa: F401  (adapters registers milestone deliveries for review)

        clock.register("awards.finalise_publicity")(services.finalise_due_publicity)
        clock.register("awards.flag_overdue")(services.flag_overdue_milestones)

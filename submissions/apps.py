from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Bids")

    def ready(self):
        from challenges.selectors import register_audience

        from .selectors import stakeholders

        # Amendments, answers and cancellations reach everyone who is preparing a bid.
        register_audience(stakeholders)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self):
        from core import clock

        from . import services

        clock.register("challenges.close_bidding")(services.close_due_bidding)
        clock.register("challenges.announce_opening")(services.announce_due_openings)

"""The bid's life after the deadline, moved by the review engine and the award decision.

These are system moves: the caller (a review or award service) has already checked the
actor's permission on its own object; this table only guards which move follows which.
"""

from django.utils.translation import gettext_lazy

from core import workflow
from core.workflow import Lifecycle, Transition

from .models import Bid

S = Bid.Status
LIFECYCLE = Lifecycle(
    (
        Transition("mark_eligible", (S.SUBMITTED, S.INELIGIBLE), S.ELIGIBLE, None, gettext_lazy("pass the formal check of")),
        Transition("mark_ineligible", (S.SUBMITTED, S.ELIGIBLE), S.INELIGIBLE, None, gettext_lazy("fail the formal check of")),
        Transition("start_review", (S.ELIGIBLE,), S.UNDER_REVIEW, None, gettext_lazy("start reviewing")),
        Transition("shortlist", (S.UNDER_REVIEW, S.NOT_SELECTED), S.SHORTLISTED, None, gettext_lazy("shortlist")),
        Transition("not_select", (S.UNDER_REVIEW, S.SHORTLISTED), S.NOT_SELECTED, None, gettext_lazy("not select")),
        Transition("propose", (S.SHORTLISTED, S.NOT_SELECTED, S.UNDER_REVIEW), S.PROPOSED, None, gettext_lazy("propose")),
        Transition("win", (S.PROPOSED,), S.WON, None, gettext_lazy("award")),
        Transition("revoke", (S.PROPOSED, S.WON), S.REVOKED, None, gettext_lazy("revoke")),
        Transition("reopen", (S.PROPOSED,), S.SHORTLISTED, None, gettext_lazy("reopen the decision on")),
    )
)


def bid_advance(*, bid: Bid, name: str, actor=None) -> Bid:
    return workflow.apply(bid, lifecycle=LIFECYCLE, name=name, actor=actor, organisation=bid.lead, audit_fields=["status"])

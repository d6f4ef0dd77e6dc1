"""The bid's life after the deadline, moved by the review engine and the award decision.

These are system moves: the caller (a review or award service) has already checked the
actor's permission on its own object; this table only guards which move follows which.
"""

from django.utils.translation import gettext_lazy as _l

from core import workflow
from core.workflow import Lifecycle, Transition

from .models import Bid

S = Bid.Status
LIFECYCLE = Lifecycle(
    (
        Transition("mark_eligible", (S.SUBMITTED, S.INELIGIBLE), S.ELIGIBLE, None, _l("pass the formal check of")),
        Transition("mark_ineligible", (S.SUBMITTED, S.ELIGIBLE), S.INELIGIBLE, None, _l("fail the formal check of")),
        Transition("start_review", (S.ELIGIBLE,), S.UNDER_REVIEW, None, _l("start reviewing")),
        Transition("shortlist", (S.UNDER_REVIEW, S.NOT_SELECTED), S.SHORTLISTED, None, _l("shortlist")),
        Transition("not_select", (S.UNDER_REVIEW, S.SHORTLISTED), S.NOT_SELECTED, None, _l("not select")),
        Transition("propose", (S.SHORTLISTED, S.NOT_SELECTED, S.UNDER_REVIEW), S.PROPOSED, None, _l("propose")),
        Transition("win", (S.PROPOSED,), S.WON, None, _l("award")),
        Transition("revoke", (S.PROPOSED, S.WON), S.REVOKED, None, _l("revoke")),
        Transition("reopen", (S.PROPOSED,), S.SHORTLISTED, None, _l("reopen the decision on")),
    )
)


def bid_advance(*, bid: Bid, name: str, actor=None) -> Bid:
    return workflow.apply(
        bid, lifecycle=LIFECYCLE, name=name, actor=actor, organisation=bid.lead, audit_fields=["status"]
    )

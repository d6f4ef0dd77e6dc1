"""Who may see and do what in reviews. Reviewers see only what they are assigned."""

import rules

from accounts.models import Membership
from accounts.rules import is_operator, roles_by_org

from .models import Assignment


@rules.predicate
def is_assignee(user, assignment) -> bool:
    return assignment is not None and getattr(user, "is_authenticated", False) and assignment.expert.user_id == user.pk


@rules.predicate
def is_active_assignee(user, assignment) -> bool:
    return is_assignee(user, assignment) and assignment.status in {
        Assignment.Status.ACCEPTED,
        Assignment.Status.SUBMITTED,
    }


@rules.predicate
def sees_other_scores(user, assignment) -> bool:
    """After submitting, when the round allows it, a reviewer may compare with the others."""
    return (
        is_assignee(user, assignment)
        and assignment.status == Assignment.Status.SUBMITTED
        and assignment.item.round.show_scores_after_submit
    )


@rules.predicate
def is_expert(user) -> bool:
    return getattr(user, "is_authenticated", False) and hasattr(user, "expert_profile")


@rules.predicate
def is_round_agency(user, round) -> bool:
    return round is not None and roles_by_org(user).get(round.challenge.issuer_id) in Membership.AGENCY_ROLES


rules.add_perm("reviews.manage_pool", is_operator)
rules.add_perm("reviews.manage_round", is_operator)
rules.add_perm("reviews.view_round", is_operator | is_round_agency)
rules.add_perm("reviews.view_assignment", is_assignee | is_operator)
# The item's content and files: only while the expert holds the review (accepted or submitted);
# an invited expert sees the title and rubric, a recused or declined one only the status.
rules.add_perm("reviews.read_item", is_active_assignee | is_operator)
rules.add_perm("reviews.view_other_scores", sees_other_scores)
rules.add_perm("reviews.answer_invitation", is_assignee)
rules.add_perm("reviews.recuse", is_assignee)
rules.add_perm("reviews.score", is_active_assignee)
rules.add_perm("reviews.reopen_review", is_operator)

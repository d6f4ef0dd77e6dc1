"""Every change in reviews goes through these modules; they are grouped by who acts."""

from .aggregation import aggregate, round_aggregate
from .assigning import (
    assignment_lock,
    assignment_remove,
    assignment_replace,
    assignment_set_by_hand,
    invitations_send,
    round_assign,
    round_reassign,
    round_recompute,
)
from .pool import conflict_declare, expert_create, expert_save, experts_import_csv
from .reviewing import (
    assignment_accept,
    assignment_decline,
    assignment_recuse,
    review_reopen,
    review_save,
    weighted_total,
)
from .rounds import defence_round_open, formal_check_decide, formal_check_item, round_configure, rounds_plan

__all__ = [
    "aggregate",
    "assignment_accept",
    "assignment_decline",
    "assignment_lock",
    "assignment_recuse",
    "assignment_remove",
    "assignment_replace",
    "assignment_set_by_hand",
    "conflict_declare",
    "defence_round_open",
    "expert_create",
    "expert_save",
    "experts_import_csv",
    "formal_check_decide",
    "formal_check_item",
    "invitations_send",
    "review_reopen",
    "review_save",
    "round_aggregate",
    "round_assign",
    "round_configure",
    "round_reassign",
    "round_recompute",
    "rounds_plan",
    "weighted_total",
]

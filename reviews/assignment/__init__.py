"""Reviewer assignment for the review rounds: pure Python and numpy, no Django.

    from reviews.assignment import Instance, check_feasibility, solve

    instance = Instance(need=..., capacity=..., pair_item=..., pair_expert=..., pair_affinity=...,
                        forbidden_item=..., forbidden_expert=..., expert_org=...,
                        locked_item=..., locked_expert=...)
    shortages = check_feasibility(instance)      # [] when every item can be served
    solution = solve(instance)                   # proven optimum, or status "infeasible"

See ``solver`` for the model and the exactness argument.
"""

from .feasibility import eligible_slots
from .instance import (
    COMPLETE,
    FLOW_SHORTAGE,
    INCOMPLETE,
    INFEASIBLE,
    LOCKED_FORBIDDEN,
    LOCKED_OVER_CAPACITY,
    LOCKED_OVER_NEED,
    LOCKED_SAME_ORG,
    NO_ORG,
    OPTIMAL,
    TOO_FEW_ELIGIBLE,
    TOTAL_CAPACITY,
    Instance,
    Shortage,
    Solution,
)
from .solver import SolverOptions, check_feasibility, greedy, reference, solve

__all__ = [
    "COMPLETE",
    "FLOW_SHORTAGE",
    "INCOMPLETE",
    "INFEASIBLE",
    "LOCKED_FORBIDDEN",
    "LOCKED_OVER_CAPACITY",
    "LOCKED_OVER_NEED",
    "LOCKED_SAME_ORG",
    "NO_ORG",
    "OPTIMAL",
    "TOO_FEW_ELIGIBLE",
    "TOTAL_CAPACITY",
    "Instance",
    "Shortage",
    "Solution",
    "SolverOptions",
    "check_feasibility",
    "eligible_slots",
    "greedy",
    "reference",
    "solve",
]

"""The reviews REST API: one small view per operation. Each fetches through an access helper
(404 for what the caller may not know of), validates the shape, calls one service and serializes.

Reviewers read items only through the reviewable-item adapter (blind in blind rounds); the
issuing agency sees progress and anonymous rankings; operators run the pool and the rounds.
"""

from .defence import BidFeedback, DefenceOpen
from .pool import ExpertConflicts, ExpertDetail, ExpertImport, ExpertList
from .reviewing import (
    AssignmentAccept,
    AssignmentAttachment,
    AssignmentDecline,
    AssignmentDetail,
    AssignmentRecuse,
    MyAssignmentList,
    MyReviewList,
    ReviewDraft,
    ReviewReopen,
    ReviewSubmit,
)
from .rounds import (
    AssignmentLock,
    ItemFormalCheck,
    RoundAssign,
    RoundAssignments,
    RoundDetail,
    RoundExclusions,
    RoundInvite,
    RoundList,
    RoundProgress,
    RoundResults,
)

__all__ = [
    "BidFeedback",
    "DefenceOpen",
    "AssignmentAccept",
    "AssignmentAttachment",
    "AssignmentDecline",
    "AssignmentDetail",
    "AssignmentLock",
    "AssignmentRecuse",
    "ExpertConflicts",
    "ExpertDetail",
    "ExpertImport",
    "ExpertList",
    "ItemFormalCheck",
    "MyAssignmentList",
    "MyReviewList",
    "ReviewDraft",
    "ReviewReopen",
    "ReviewSubmit",
    "RoundAssign",
    "RoundAssignments",
    "RoundDetail",
    "RoundExclusions",
    "RoundInvite",
    "RoundList",
    "RoundProgress",
    "RoundResults",
]

"""THE permission matrix: every route of the live URLconf × every role → the expected answer.

Read an entry as: route name, HTTP method, how to build the URL from the world, then who may pass.
  OK     the request got past the permission check: 2xx, 3xx, or 400/409 for an empty or invalid body
  LOGIN  anonymous: pages redirect to the login page, the API answers 401 (or 403)
  E403   denied, and the role may know the object exists (a public challenge, its own organisation)
  E404   denied without revealing that the object exists (someone else's bid, contract, assignment)
  DENY   403 or 404, either is fine (nothing to hide: a list, a form the role may never use)
  E405   the method is refused whatever the role

`only("applicant", "partner")` lets those roles pass, sends the anonymous to LOGIN and denies every
other role with `deny` (E404 by default); keyword arguments override single roles.
Objects come from tests/security/world.py; URLs are always built with reverse()."""

from collections.abc import Callable
from dataclasses import dataclass

from core.opaque import encode
from tests.awards.test_api_permissions import _contract_plan
from tests.challenges.test_api_permissions import full_body

from .world import ROLES, pdf

OK, LOGIN, E403, E404, DENY, E405 = "ok", "login", "403", "404", "deny", "405"

APPLICANTS = ("applicant", "rival", "partner")
AGENCY = ("editor", "approver")
EXPERTS = ("assigned_expert", "unassigned_expert", "conflicted_expert")
USERS = tuple(r for r in ROLES if r != "anonymous")


def only(*allowed: str, deny: str = E404, anon: str = LOGIN, **overrides: str) -> dict[str, str]:
    rule = {role: (OK if role in allowed else deny) for role in USERS}
    rule["anonymous"] = anon
    rule.update(overrides)
    return rule


def everyone(**overrides: str) -> dict[str, str]:
    return only(*USERS, anon=OK, **overrides)


def users(**overrides: str) -> dict[str, str]:
    """Any logged-in user; the anonymous go to log in."""
    return only(*USERS, **overrides)


def nobody() -> dict[str, str]:
    return {role: E405 for role in ROLES}


@dataclass(frozen=True)
class Entry:
    name: str
    method: str
    kwargs: Callable  # world -> URL kwargs for reverse()
    expect: dict[str, str]
    # world -> request body. Empty by default (a 400 then proves permission passed); given where the
    # target object travels in the body or where a view validates the body before checking permission.
    data: Callable | None = None
    multipart: bool = False  # file uploads: a form body instead of JSON

    @property
    def is_api(self) -> bool:
        return self.name.split(":")[0] != "frontend" and self.name not in {"healthz"}


def none(w) -> dict:
    return {}


def body(**values: Callable | object) -> Callable:
    """A request body whose callable values are computed from the world."""
    return lambda w: {k: (v(w) if callable(v) else v) for k, v in values.items()}


def pk(attr: str, **more: Callable) -> Callable:
    """URL kwargs {"pk": world.<attr>.pk, plus more computed from the world}."""
    return lambda w: {"pk": getattr(w, attr).pk, **{k: f(w) for k, f in more.items()}}


# Who sees the owner's bids once bidding closed: its own side, the issuing agency, the operator.
# Everybody else must not learn that the bid exists.
BID_INSIDERS = only("applicant", "partner", "editor", "approver", "operator")
# Changing the owner's open bid: its admin only. The operator sees every bid (403); the partner
# sees the bid and may not edit it; the agency must not see a bid before bidding closes (404).
BID_EDITOR = only("applicant", partner=DENY, operator=E403)
# The contract and its money: the winner, the issuing agency, the operator. Guessed: the
# consortium partner is not a party to the task contract (the app answers 404; see the report).
CONTRACT_INSIDERS = only("applicant", "editor", "approver", "operator")
# What only the approver does to the contract; the other insiders know the contract (403).
CONTRACT_APPROVER = only("approver", editor=E403, applicant=E403, operator=E403)
# Agency-side work on its own unpublished challenge: outsiders must not learn it exists; the
# operator sees every challenge and may not act for the agency (403).
DRAFT_WORK = only(*AGENCY, operator=E403)
APPROVER_WORK = only("approver", editor=E403, operator=E403)
# Agency-side work on a published challenge: everybody knows it exists.
PUBLISHED_AGENCY_WORK = only(*AGENCY, deny=E403)
OPERATOR_ONLY = only("operator", deny=E403)
# The agency reads its rounds; it never sees who reviews (the assignments) nor runs the round.
ROUND_READERS = only("operator", *AGENCY)
ROUND_OPERATOR = only("operator", editor=E403, approver=E403)
# Assignments: the assigned expert acts; the operator sees them all but answers for nobody.
ASSIGNEE = only("assigned_expert", operator=E403)
ASSIGNMENT_OPERATOR = only("operator", assigned_expert=E403)
# The pool: operators run it; an expert may read their own profile and declare conflicts.
OWN_EXPERT = only("operator", "assigned_expert", deny=DENY)

REASON = body(reason="Checked by the matrix")
# Guessed: the operator may cancel a published challenge (abuse, a court order), as the app allows.
CANCELLERS = only("approver", "operator", deny=E403)
# A cancelled challenge is no longer public: outsiders must not learn of it. Either agency role may
# re-issue it (a new draft).
REISSUERS = only(*AGENCY, operator=E403)

PAGES = [
    Entry("frontend:home", "GET", none, everyone()),
    Entry("frontend:login", "GET", none, everyone()),
    Entry("frontend:login", "POST", none, everyone()),
    Entry("frontend:logout", "GET", none, nobody()),
    Entry("frontend:logout", "POST", none, everyone()),
    Entry("frontend:signup", "GET", none, everyone()),
    Entry("frontend:signup", "POST", none, everyone()),
    # Whatever the link, the answer is the login page with a message.
    Entry("frontend:verify_email", "GET", lambda w: {"uidb64": "MQ", "token": "bad-token"}, {r: LOGIN for r in ROLES}),
    Entry("frontend:password_reset", "GET", none, everyone()),
    Entry("frontend:password_reset", "POST", none, everyone()),
    Entry("frontend:password_reset_done", "GET", none, everyone()),
    Entry("frontend:password_reset_confirm", "GET", lambda w: {"uidb64": "MQ", "token": "bad-token"}, everyone()),
    Entry("frontend:password_reset_confirm", "POST", lambda w: {"uidb64": "MQ", "token": "bad-token"}, everyone()),
    Entry("frontend:password_reset_complete", "GET", none, everyone()),
    # The invitation names an email address: anyone may look; only that address's user may accept.
    Entry("frontend:invitation_accept", "GET", lambda w: {"token": w.invitation.token}, users()),
    Entry("frontend:invitation_accept", "POST", lambda w: {"token": w.invitation.token}, only(deny=E403)),
    Entry("frontend:profile", "GET", none, users()),
    Entry("frontend:password_change", "GET", none, users()),
    Entry("frontend:password_change", "POST", none, users()),  # an empty form: 400 with its errors
    Entry("frontend:password_change_done", "GET", none, users()),
    Entry("frontend:notifications", "GET", none, users()),
    Entry("frontend:notifications_read_all", "POST", none, users()),
    Entry("frontend:organisation_register", "GET", none, users()),
    Entry("frontend:organisation_register", "POST", none, users()),
    Entry("frontend:organisation_queue", "GET", none, OPERATOR_ONLY),
    Entry("frontend:organisation_detail", "GET", pk("owner_org"), only("applicant", "operator")),
    Entry(
        "frontend:organisation_invite",
        "POST",
        pk("owner_org"),
        only("applicant", "operator"),  # guessed: operators act for any organisation (audited)
        data=body(email="newcomer2@example.cn", role="member"),
    ),
    Entry("frontend:organisation_verify", "POST", pk("pending_org"), only("operator")),
    Entry("frontend:organisation_reject", "POST", pk("pending_org"), only("operator"), data=REASON),
    # Challenges.
    Entry("frontend:challenge_list", "GET", none, everyone()),
    Entry("frontend:challenge_create", "GET", none, only(*AGENCY, "other_agency_staff", deny=E403)),
    Entry("frontend:challenge_create", "POST", none, only(*AGENCY, "other_agency_staff", deny=E403)),
    Entry(
        "frontend:attachment_download",
        "GET",
        pk("confidential_file"),
        only("applicant", *AGENCY, "operator", anon=DENY, deny=DENY),
    ),
    Entry("frontend:challenge_detail", "GET", pk("draft"), only(*AGENCY, "operator", anon=E404)),
    Entry("frontend:challenge_edit", "GET", pk("draft"), DRAFT_WORK),
    Entry("frontend:challenge_edit", "POST", pk("draft"), DRAFT_WORK),
    Entry("frontend:challenge_attachment_add", "POST", pk("draft"), DRAFT_WORK),
    Entry("frontend:challenge_submit", "POST", pk("draft"), DRAFT_WORK),
    Entry("frontend:challenge_approve", "POST", pk("pending"), APPROVER_WORK),
    Entry("frontend:challenge_return", "POST", pk("pending"), APPROVER_WORK, data=body(comment="Fix the indicators")),
    Entry("frontend:challenge_cancel", "POST", pk("published"), CANCELLERS, data=REASON),
    Entry("frontend:challenge_reissue", "POST", pk("cancelled"), REISSUERS),
    Entry("frontend:challenge_amend", "GET", pk("published"), PUBLISHED_AGENCY_WORK),
    Entry("frontend:challenge_amend", "POST", pk("published"), PUBLISHED_AGENCY_WORK),
    Entry("frontend:challenge_nda_sign", "POST", pk("published"), only(*APPLICANTS, deny=E403)),
    Entry("frontend:challenge_question_ask", "POST", pk("published"), only(*APPLICANTS, deny=E403)),
    Entry(
        "frontend:challenge_question_answer",
        "POST",
        pk("published", question_pk=lambda w: w.question.pk),
        only(*AGENCY, deny=DENY),  # an unanswered question is known to its asker only
        data=body(answer="Yes"),
    ),
    Entry("frontend:agency_challenges", "GET", none, only(*AGENCY, "other_agency_staff", deny=E403)),
    Entry("frontend:subscriptions", "GET", none, only(*APPLICANTS, deny=E403)),
    Entry("frontend:subscriptions", "POST", none, only(*APPLICANTS, deny=E403)),
    # Bids. The open bid is still in bidding: even the issuing agency must not see it.
    # Without an applicant organisation the page explains how to register one; starting a bid is refused.
    Entry("frontend:bid_create", "GET", lambda w: {"challenge_pk": w.published.pk}, users()),
    Entry("frontend:bid_create", "POST", lambda w: {"challenge_pk": w.published.pk}, only(*APPLICANTS, deny=E403)),
    Entry("frontend:challenge_bids", "GET", lambda w: {"challenge_pk": w.closed.pk}, only(*AGENCY, "operator", deny=DENY)),
    Entry("frontend:my_bids", "GET", none, users()),
    Entry("frontend:bid_detail", "GET", pk("bid"), BID_INSIDERS),
    # Those who may read the bid are sent on to it; nobody else learns it exists.
    Entry("frontend:bid_edit", "GET", pk("open_bid"), only("applicant", "partner", "operator")),
    Entry("frontend:bid_partner_remove", "POST", pk("open_bid", partner_pk=lambda w: w.open_partner.pk), BID_EDITOR),
    Entry("frontend:bid_attachment_remove", "POST", pk("open_bid", attachment_pk=lambda w: w.open_attachment.pk), BID_EDITOR),
    Entry("frontend:bid_section", "POST", pk("open_bid", section=lambda w: "approach"), BID_EDITOR),
    Entry("frontend:bid_submit", "POST", pk("open_bid"), BID_EDITOR),
    Entry("frontend:bid_withdraw", "POST", pk("open_bid"), BID_EDITOR),
    Entry("frontend:bid_attachment_download", "GET", pk("bid_attachment"), BID_INSIDERS),
    Entry("frontend:bid_partner_respond", "POST", pk("open_partner"), only("partner", applicant=E403, operator=E403)),
    # The expert's side of reviews.
    Entry("frontend:my_reviews", "GET", none, users()),
    Entry("frontend:assignment_detail", "GET", pk("assignment"), only("assigned_expert", "operator")),
    Entry("frontend:assignment_accept", "POST", pk("assignment"), ASSIGNEE),
    Entry("frontend:assignment_decline", "POST", pk("assignment"), ASSIGNEE),
    Entry("frontend:assignment_recuse", "POST", pk("assignment"), ASSIGNEE, data=body(**{"recuse-reason": "Conflict"})),
    Entry("frontend:assignment_review", "POST", pk("assignment"), ASSIGNEE),
    Entry("frontend:assignment_reopen", "POST", pk("assignment"), ASSIGNMENT_OPERATOR, data=body(**{"reopen-reason": "Typo"})),
    Entry("frontend:assignment_attachment", "GET", pk("assignment", n=lambda w: 1), only("assigned_expert", "operator")),
    # The operator's pool and rounds.
    Entry("frontend:expert_list", "GET", none, OPERATOR_ONLY),
    Entry("frontend:expert_create", "GET", none, OPERATOR_ONLY),
    Entry("frontend:expert_create", "POST", none, OPERATOR_ONLY),
    Entry("frontend:expert_import", "GET", none, OPERATOR_ONLY),
    Entry("frontend:expert_import", "POST", none, OPERATOR_ONLY),
    Entry("frontend:expert_detail", "GET", pk("assigned_expert"), OWN_EXPERT),
    Entry("frontend:expert_edit", "GET", pk("assigned_expert"), only("operator", deny=DENY)),
    Entry("frontend:expert_edit", "POST", pk("assigned_expert"), only("operator", deny=DENY)),
    Entry("frontend:expert_conflict_add", "POST", pk("assigned_expert"), OWN_EXPERT),
    Entry("frontend:round_list", "GET", none, users()),  # lists only the rounds the user may see
    Entry("frontend:round_detail", "GET", pk("round"), ROUND_READERS),
    Entry("frontend:round_progress", "GET", pk("round"), ROUND_READERS),
    Entry("frontend:round_settings", "POST", pk("round"), ROUND_OPERATOR),
    Entry("frontend:round_assign", "POST", pk("round"), ROUND_OPERATOR),
    Entry("frontend:round_reassign", "POST", pk("round"), ROUND_OPERATOR),
    Entry("frontend:round_invite", "POST", pk("round"), ROUND_OPERATOR),
    Entry("frontend:round_results", "GET", pk("round"), ROUND_READERS),
    Entry("frontend:item_check", "POST", pk("item"), ROUND_OPERATOR),
    Entry("frontend:item_add_expert", "POST", pk("item"), ROUND_OPERATOR),
    Entry(
        "frontend:assignment_lock", "POST", pk("assignment"), only("operator", editor=E403, approver=E403, assigned_expert=E403)
    ),
    Entry(
        "frontend:assignment_remove", "POST", pk("assignment"), only("operator", editor=E403, approver=E403, assigned_expert=E403)
    ),
    # Decisions, the public notice, objections.
    Entry("frontend:award_decide", "GET", pk("closed"), only("approver", deny=E403)),
    Entry("frontend:award_decide", "POST", pk("closed"), only("approver", deny=E403)),
    Entry("frontend:award_decide_none", "POST", pk("closed"), only("approver", deny=E403)),
    Entry("frontend:award_list", "GET", none, everyone()),
    Entry("frontend:award_detail", "GET", pk("proposed"), everyone()),
    Entry("frontend:objection_file", "POST", pk("proposed"), users()),
    Entry("frontend:award_down_select", "POST", pk("award"), only("approver", deny=E403)),
    # Guessed: the evidence is for the operator who resolves the objection; the objector filed it.
    Entry("frontend:evidence_download", "GET", pk("evidence"), only("operator")),
    Entry(
        "frontend:objection_resolve",
        "POST",
        pk("objection"),
        only("operator", rival=E403),
        data=body(uphold="", reason="Checked"),
    ),
    # The contract, its milestones and money.
    Entry("frontend:contract_detail", "GET", pk("contract"), CONTRACT_INSIDERS),
    Entry("frontend:contract_edit", "POST", pk("unsigned_contract"), only(*AGENCY, applicant=E403, operator=E403)),
    Entry(
        "frontend:contract_sign",
        "POST",
        pk("unsigned_contract"),
        only("approver", "applicant", editor=E403, operator=E403),
        data=body(version=lambda w: w.unsigned_contract.version),
    ),
    Entry("frontend:contract_extend", "POST", pk("contract"), CONTRACT_APPROVER, data=body(months=6, reason="Late tools")),
    Entry("frontend:contract_terminate", "POST", pk("contract"), CONTRACT_APPROVER, data=body(reason="Tolerated")),
    Entry("frontend:contract_ledger_csv", "GET", pk("contract"), only(*AGENCY, "operator", applicant=E403)),
    Entry("frontend:disbursement_approve", "POST", pk("disbursement"), CONTRACT_APPROVER),
    Entry(
        "frontend:disbursement_paid",
        "POST",
        pk("disbursement"),
        only("operator", editor=E403, approver=E403, applicant=E403),
        data=body(reference="B1"),
    ),
    Entry("frontend:milestone_detail", "GET", pk("milestone"), CONTRACT_INSIDERS),
    Entry(
        "frontend:milestone_deliver",
        "POST",
        pk("milestone"),
        only("applicant", editor=E403, approver=E403, operator=E403),
        data=body(report="Wafers"),
    ),
    Entry("frontend:milestone_accept", "POST", pk("milestone"), CONTRACT_APPROVER, data=body(outcome="pass", reason="Met")),
    Entry("frontend:transparency", "GET", none, everyone()),
]

API = [
    Entry("healthz", "GET", none, everyone()),
    Entry("schema", "GET", none, everyone()),
    Entry("swagger-ui", "GET", none, everyone()),
    Entry("accounts:token", "POST", none, everyone()),
    Entry("accounts:me", "GET", none, users()),
    Entry("accounts:organisation-list", "GET", none, users()),
    Entry("accounts:organisation-detail", "GET", pk("owner_org"), only("applicant", "operator")),
    Entry("accounts:organisation-verify", "POST", pk("pending_org"), only("operator")),
    Entry("accounts:organisation-reject", "POST", pk("pending_org"), only("operator"), data=REASON),
    Entry(
        "accounts:organisation-invite",
        "POST",
        pk("owner_org"),
        only("applicant", "operator"),  # guessed: operators act for any organisation (audited)
        data=body(email="newcomer2@example.cn", role="member"),
    ),
    Entry("core:notification-list", "GET", none, users()),
    Entry("core:notification-read", "POST", none, users()),
    # Challenges.
    Entry("challenges:challenge-list", "GET", none, everyone()),
    Entry(
        "challenges:challenge-list",
        "POST",
        none,
        only(*AGENCY, deny=E403),
        data=lambda w: full_body(issuer=w.agency),
    ),
    Entry("challenges:challenge-detail", "GET", pk("draft"), only(*AGENCY, "operator", anon=E404)),
    Entry("challenges:challenge-detail", "PUT", pk("draft"), DRAFT_WORK, data=lambda w: full_body()),
    Entry("challenges:challenge-detail", "PATCH", pk("draft"), DRAFT_WORK, data=body(title="Renamed")),
    Entry("challenges:challenge-submit", "POST", pk("draft"), DRAFT_WORK),
    Entry("challenges:challenge-approve", "POST", pk("pending"), APPROVER_WORK),
    Entry("challenges:challenge-return", "POST", pk("pending"), APPROVER_WORK, data=body(comment="Fix the indicators")),
    Entry("challenges:challenge-cancel", "POST", pk("published"), CANCELLERS, data=REASON),
    Entry("challenges:challenge-reissue", "POST", pk("cancelled"), REISSUERS),
    Entry("challenges:challenge-amendments", "GET", pk("published"), everyone()),
    Entry(
        "challenges:challenge-amendments",
        "POST",
        pk("published"),
        PUBLISHED_AGENCY_WORK,
        data=body(reason="Typo", changes={"summary": "Fixed summary"}),
    ),
    Entry("challenges:challenge-questions", "GET", pk("published"), everyone()),
    Entry("challenges:challenge-questions", "POST", pk("published"), only(*APPLICANTS, deny=E403), data=body(text="How thick?")),
    Entry(
        "challenges:question-answer",
        "POST",
        pk("published", qid=lambda w: w.question.pk),
        only(*AGENCY, deny=DENY),
        data=body(answer="Yes"),
    ),
    Entry("challenges:challenge-nda", "GET", pk("published"), everyone()),  # the NDA's text is public
    Entry("challenges:challenge-nda", "POST", pk("published"), only(*APPLICANTS, deny=E403)),
    Entry("challenges:challenge-attachments", "GET", pk("published"), everyone()),
    Entry("challenges:challenge-attachments", "POST", pk("draft"), DRAFT_WORK, data=body(file=lambda w: pdf()), multipart=True),
    Entry(
        "challenges:attachment-download",
        "GET",
        pk("confidential_file"),
        only("applicant", *AGENCY, "operator", anon=DENY, deny=DENY),
    ),
    Entry("challenges:field-list", "GET", none, everyone()),
    Entry("challenges:subscriptions", "GET", none, only(*APPLICANTS, deny=E403)),
    Entry("challenges:subscriptions", "POST", none, only(*APPLICANTS, deny=E403), data=body(fields=["quantum"])),
    Entry("challenges:subscriptions", "PUT", none, only(*APPLICANTS, deny=E403), data=body(fields=["quantum"])),
    # Bids.
    Entry("submissions:bid-list", "GET", none, users()),
    Entry(
        "submissions:bid-list",
        "POST",
        none,
        only(*APPLICANTS, deny=E403),
        data=body(challenge=lambda w: str(w.published.pk), title="Another approach"),
    ),
    Entry("submissions:bid-detail", "GET", pk("bid"), BID_INSIDERS),
    Entry("submissions:bid-detail", "PATCH", pk("open_bid"), BID_EDITOR, data=body(title="Renamed")),
    Entry("submissions:bid-submit", "POST", pk("open_bid"), BID_EDITOR),
    Entry("submissions:bid-withdraw", "POST", pk("open_bid"), BID_EDITOR),
    Entry(
        "submissions:partner-invite", "POST", pk("open_bid"), BID_EDITOR, data=body(organisation=lambda w: encode(w.rival_org.pk))
    ),
    Entry("submissions:partner-remove", "DELETE", pk("open_bid", pid=lambda w: w.open_partner.pk), BID_EDITOR),
    Entry(
        "submissions:partner-confirm",
        "POST",
        pk("open_bid", pid=lambda w: w.open_partner.pk),
        only("partner", applicant=E403, operator=E403),
    ),
    Entry(
        "submissions:partner-decline",
        "POST",
        pk("open_bid", pid=lambda w: w.open_partner.pk),
        only("partner", applicant=E403, operator=E403),
    ),
    Entry("submissions:attachment-upload", "POST", pk("open_bid"), BID_EDITOR, data=body(file=lambda w: pdf()), multipart=True),
    Entry("submissions:attachment-remove", "DELETE", pk("open_bid", aid=lambda w: w.open_attachment.pk), BID_EDITOR),
    Entry("submissions:revision-list", "GET", pk("bid"), BID_INSIDERS),
    Entry("submissions:revision-detail", "GET", pk("bid", number=lambda w: 1), BID_INSIDERS),
    Entry("submissions:attachment-download", "GET", pk("bid_attachment"), BID_INSIDERS),
    # Reviews: the pool and rounds (operators run them, the issuing agency reads).
    Entry("reviews:expert-list", "GET", none, OPERATOR_ONLY),
    Entry("reviews:expert-list", "POST", none, OPERATOR_ONLY),
    Entry("reviews:expert-import", "POST", none, OPERATOR_ONLY, multipart=True),
    Entry("reviews:expert-detail", "GET", pk("assigned_expert"), OWN_EXPERT),
    Entry("reviews:expert-detail", "PATCH", pk("assigned_expert"), OWN_EXPERT),
    Entry("reviews:expert-conflicts", "GET", pk("assigned_expert"), OWN_EXPERT),
    Entry("reviews:expert-conflicts", "POST", pk("assigned_expert"), OWN_EXPERT),
    Entry("reviews:round-list", "GET", none, users()),  # lists only the rounds the user may see
    Entry(
        "reviews:round-defence",
        "POST",
        none,
        OPERATOR_ONLY,
        data=body(
            challenge=lambda w: str(w.closed.pk),
            experts=lambda w: [encode(w.unassigned_expert.pk)],
            starts_at="2030-01-01T09:00:00+08:00",
        ),
    ),
    Entry("reviews:bid-feedback", "GET", pk("bid"), only("applicant", partner=E403, editor=E403, approver=E403, operator=E403)),
    Entry("reviews:round-detail", "GET", pk("round"), ROUND_READERS),
    Entry("reviews:round-detail", "PATCH", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-assign", "POST", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-assignments", "GET", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-assignments", "POST", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-invite", "POST", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-exclusions", "GET", pk("round"), ROUND_OPERATOR),
    Entry("reviews:round-progress", "GET", pk("round"), ROUND_READERS),
    Entry("reviews:round-results", "GET", pk("round"), ROUND_READERS),
    Entry("reviews:item-formal-check", "POST", pk("item"), ROUND_OPERATOR, data=body(passed=True, reason="Complete")),
    # Reviews: the expert's side.
    Entry("reviews:assignment-list", "GET", none, users()),
    Entry("reviews:assignment-detail", "GET", pk("assignment"), only("assigned_expert", "operator")),
    Entry("reviews:assignment-accept", "POST", pk("assignment"), ASSIGNEE),
    Entry("reviews:assignment-decline", "POST", pk("assignment"), ASSIGNEE),
    Entry("reviews:assignment-recuse", "POST", pk("assignment"), ASSIGNEE, data=REASON),
    Entry("reviews:assignment-lock", "POST", pk("assignment"), ASSIGNMENT_OPERATOR),
    Entry("reviews:assignment-lock", "DELETE", pk("assignment"), ASSIGNMENT_OPERATOR),
    Entry("reviews:assignment-attachment", "GET", pk("assignment", number=lambda w: 1), only("assigned_expert", "operator")),
    Entry("reviews:review-list", "GET", none, users()),
    Entry("reviews:review-draft", "PUT", lambda w: {"assignment_id": w.assignment.pk}, ASSIGNEE),
    Entry("reviews:review-submit", "POST", lambda w: {"assignment_id": w.assignment.pk}, ASSIGNEE),
    Entry("reviews:review-reopen", "POST", lambda w: {"assignment_id": w.assignment.pk}, ASSIGNMENT_OPERATOR, data=REASON),
    # Awards.
    Entry("awards:award-list", "GET", none, everyone()),
    Entry("awards:award-detail", "GET", pk("proposed"), everyone()),
    Entry("awards:award-objections", "GET", pk("proposed"), everyone()),
    Entry("awards:award-objections", "POST", pk("proposed"), users()),
    Entry(
        "awards:decision-create",
        "POST",
        none,
        only("approver", deny=E403),
        data=body(challenge=lambda w: str(w.closed.pk), bids=lambda w: [str(w.bid.pk)]),
    ),
    Entry(
        "awards:decision-none",
        "POST",
        none,
        only("approver", deny=E403),
        data=body(challenge=lambda w: str(w.closed.pk), reason="None fits"),
    ),
    Entry(
        "awards:decision-down-select",
        "POST",
        none,
        only("approver", deny=E403),
        data=body(challenge=lambda w: str(w.award.challenge_id), position=0),
    ),
    Entry("awards:decision-detail", "GET", lambda w: {"pk": w.proposed.decision_id}, everyone()),
    Entry("awards:evidence-download", "GET", pk("evidence"), only("operator", anon=DENY)),
    Entry(
        "awards:objection-resolve",
        "POST",
        pk("objection"),
        only("operator", rival=E403),
        data=body(uphold=False, reason="Checked"),
    ),
    Entry("awards:contract-detail", "GET", pk("contract"), CONTRACT_INSIDERS),
    Entry(
        "awards:contract-detail",
        "PUT",
        pk("unsigned_contract"),
        only(*AGENCY, applicant=E403, operator=E403),
        data=lambda w: _contract_plan(w.unsigned_contract.award),
    ),
    Entry(
        "awards:contract-sign",
        "POST",
        pk("unsigned_contract"),
        only("approver", "applicant", editor=E403, operator=E403),
        data=body(version=lambda w: w.unsigned_contract.version),
    ),
    Entry("awards:contract-extension", "POST", pk("contract"), CONTRACT_APPROVER, data=body(months=6, reason="Late tools")),
    Entry("awards:contract-terminate", "POST", pk("contract"), CONTRACT_APPROVER, data=body(at_fault=False, reason="Tolerated")),
    Entry("awards:contract-ledger", "GET", pk("contract"), only(*AGENCY, "operator", applicant=E403)),
    Entry(
        "awards:milestone-deliverables",
        "POST",
        pk("milestone"),
        only("applicant", editor=E403, approver=E403, operator=E403),
        data=body(report="Wafers", measurements=[]),
    ),
    Entry("awards:milestone-acceptance", "POST", pk("milestone"), CONTRACT_APPROVER, data=body(outcome="pass", reason="Met")),
    Entry("awards:disbursement-approve", "POST", pk("disbursement"), CONTRACT_APPROVER),
    Entry(
        "awards:disbursement-mark-paid",
        "POST",
        pk("disbursement"),
        only("operator", editor=E403, approver=E403, applicant=E403),
        data=body(reference="B1"),
    ),
    Entry("awards:transparency", "GET", none, everyone()),
]

TABLE = PAGES + API

# Prefixes of the URLconf left out of the walk: the Django admin (its own permission system,
# staff only), the language switch (no data), static and media files (no route serves private files).
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/")

# Cells where the app is wrong today: the table above holds the right answer, and the test of each
# cell is expected to fail (strictly: it turns red once the app is fixed, so remove the line then).
FINDINGS: dict[tuple[str, str, str], str] = {}

"""One populated world with every object a route of the platform needs, and a user for every role.

Built once per test module through the services (and the test factories that call them); the
permission matrix then asks every route about these objects as every role."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from awards import services as award_services
from awards.models import Award, Disbursement
from challenges import services as challenge_services
from challenges.models import Challenge
from core.tasks import advance_due_work
from reviews import services as review_services
from reviews.models import Assignment, ReviewRound
from reviews.services.rounds import revision_of
from submissions import services as bid_services
from tests.awards.test_api import orm_award
from tests.factories import OrganisationFactory, UserFactory, make_bid, make_challenge, member, technical_field

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "correct-horse-battery"

ROLES = (
    "anonymous",
    "applicant",  # admin of the organisation that owns the bids and the award
    "rival",  # admin of a rival applicant organisation with its own bid
    "partner",  # admin of the confirmed consortium partner
    "editor",  # issuing agency
    "approver",  # issuing agency
    "other_agency_staff",
    "assigned_expert",  # accepted assignment on the applicant's bid, draft review
    "unassigned_expert",  # in the pool, nothing assigned
    "conflicted_expert",  # declared a conflict with the applicant's organisation
    "operator",
)


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (no entry for anonymous)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _run_on_commit(fn):
    """Run `fn` and then its on-commit hooks (the world is built inside one outer transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn()


def _expert(operator, name: str, affiliation):
    user = UserFactory(full_name=name)
    return review_services.expert_save(
        actor=operator,
        user=user,
        data={"affiliation": affiliation, "keywords": ["碳化硅"], "max_concurrent": 8},
        fields=[technical_field()],
    )


def _consortium_bid(challenge, *, lead, applicant, partner_org, partner, title: str):
    """A complete bid with a confirmed partner and one attachment, submitted."""
    bid = make_bid(challenge=challenge, lead=lead, actor=applicant, title=title)
    row = bid_services.partner_invite(bid=bid, actor=applicant, organisation=partner_org, work_split="Wafers", budget_share=20)
    bid_services.partner_respond(partner=row, actor=partner, accept=True)
    attachment = bid_services.attachment_add(bid=bid, actor=applicant, upload=pdf(), description="Plan")
    _run_on_commit(lambda: bid_services.bid_submit(bid=bid, actor=applicant))
    bid.refresh_from_db()
    return bid, row, attachment


def _cast(w: World) -> None:
    o = w.objects
    o["agency"] = OrganisationFactory(agency=True, name="Issuing Bureau")
    o["other_agency"] = OrganisationFactory(agency=True, name="Other Bureau")
    o["owner_org"] = OrganisationFactory(name="Owner Ltd")
    o["partner_org"] = OrganisationFactory(name="Partner Ltd")
    o["rival_org"] = OrganisationFactory(name="Rival Ltd")
    o["pending_org"] = OrganisationFactory(pending=True, name="Unverified Ltd")  # for the operator's verification
    u = w.users
    u["applicant"] = member(o["owner_org"], Membership.Role.ADMIN, full_name="Applicant Admin")
    u["partner"] = member(o["partner_org"], Membership.Role.ADMIN, full_name="Partner Admin")
    u["rival"] = member(o["rival_org"], Membership.Role.ADMIN, full_name="Rival Admin")
    u["editor"] = member(o["agency"], Membership.Role.EDITOR, full_name="Agency Editor")
    u["approver"] = member(o["agency"], Membership.Role.APPROVER, full_name="Agency Approver")
    u["other_agency_staff"] = member(o["other_agency"], Membership.Role.EDITOR, full_name="Other Editor")
    u["operator"] = UserFactory(operator=True, full_name="Platform Operator")
    o["invitation"] = account_services.invitation_create(
        organisation=o["owner_org"], actor=u["applicant"], email="newcomer@example.cn", role=Membership.Role.MEMBER
    )


def _challenges(w: World) -> None:
    o, u = w.objects, w.users
    editor, approver = u["editor"], u["approver"]
    o["draft"] = make_challenge(issuer=o["agency"], editor=editor, title="A draft challenge")
    o["pending"] = make_challenge(issuer=o["agency"], editor=editor, status="pending_approval", title="Awaiting approval")
    o["cancelled"] = make_challenge(issuer=o["agency"], editor=editor, approver=approver, status="cancelled", title="Cancelled")
    published = make_challenge(issuer=o["agency"], editor=editor)
    o["public_file"] = challenge_services.attachment_add(
        challenge=published, actor=editor, upload=pdf("public.pdf"), confidential=False
    )
    o["confidential_file"] = challenge_services.attachment_add(
        challenge=published, actor=editor, upload=pdf("secret.pdf"), confidential=True
    )
    challenge_services.challenge_submit(challenge=published, actor=editor)
    published = _run_on_commit(lambda: challenge_services.challenge_approve(challenge=published, actor=approver))
    o["published"] = published
    answered = challenge_services.question_ask(challenge=published, actor=u["applicant"], text="Is 6-inch acceptable?")
    challenge_services.question_answer(question=answered, actor=editor, answer="No, 8-inch only.")
    o["question"] = challenge_services.question_ask(challenge=published, actor=u["rival"], text="May universities lead?")
    challenge_services.nda_sign(challenge=published, actor=u["applicant"], organisation=o["owner_org"])
    o["open_bid"], o["open_partner"], o["open_attachment"] = _consortium_bid(
        published,
        lead=o["owner_org"],
        applicant=u["applicant"],
        partner_org=o["partner_org"],
        partner=u["partner"],
        title="Owner bid, still open",
    )


def _review(w: World) -> None:
    """A challenge whose bidding closed: the owner's consortium bid and the rival's bid in expert review."""
    o, u = w.objects, w.users
    operator = u["operator"]
    for n in range(6):
        _expert(operator, f"Pool Expert {n}", OrganisationFactory(name=f"Lab {n}"))
    conflicted = _expert(operator, "Conflicted Expert", OrganisationFactory(name="Lab C"))
    review_services.conflict_declare(
        expert=conflicted, actor=conflicted.user, reason="Former employer", organisation=o["owner_org"]
    )
    challenge = make_challenge(issuer=o["agency"], editor=u["editor"], approver=u["approver"], status="published")
    o["bid"], o["partner_row"], o["bid_attachment"] = _consortium_bid(
        challenge,
        lead=o["owner_org"],
        applicant=u["applicant"],
        partner_org=o["partner_org"],
        partner=u["partner"],
        title="Owner consortium bid",
    )
    o["rival_bid"] = make_bid(challenge=challenge, lead=o["rival_org"], actor=u["rival"], submit=True, title="Rival bid")
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    _run_on_commit(lambda: challenge_services.close_due_bidding(timezone.now()))
    _run_on_commit(lambda: advance_due_work.apply())
    challenge.refresh_from_db()
    o["closed"] = challenge
    o["round"] = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    o["item"] = next(i for i in o["round"].items.all() if revision_of(i).bid_id == o["bid"].pk)
    assignment = Assignment.objects.filter(item=o["item"], status=Assignment.Status.INVITED).order_by("pk").first()
    review_services.assignment_accept(assignment=assignment, actor=assignment.expert.user)
    criterion = o["round"].rubric.criteria.order_by("pk").first()
    review_services.review_save(
        assignment=assignment, actor=assignment.expert.user, scores={criterion.pk: {"value": 7, "comment": "Promising"}}
    )
    o["assignment"] = assignment
    o["assigned_expert"] = assignment.expert
    o["conflicted_expert"] = conflicted
    o["unassigned_expert"] = _expert(operator, "Unassigned Expert", OrganisationFactory(name="Lab U"))
    u["assigned_expert"] = assignment.expert.user
    u["conflicted_expert"] = conflicted.user
    u["unassigned_expert"] = o["unassigned_expert"].user


def _awards(w: World) -> None:
    """A proposed award in publicity with an objection, and a final award with a signed contract."""
    o, u = w.objects, w.users
    proposed = orm_award(
        issuer=o["agency"],
        creator=u["approver"],
        winner=o["owner_org"],
        status=Award.Status.PROPOSED,
        partners=[o["partner_org"]],
    )
    o["proposed"] = proposed
    o["objection"] = award_services.objection_file(
        award=proposed,
        actor=u["rival"],
        real_name="Liu Yang",
        contact="liu@example.cn",
        grounds="Copied",
        evidence=[pdf("proof.pdf")],
    )
    o["evidence"] = o["objection"].evidence.get()
    award = orm_award(issuer=o["agency"], creator=u["approver"], winner=o["owner_org"], partners=[o["partner_org"]])
    contract = award.contract
    award_services.contract_sign(contract=contract, actor=u["approver"], version=contract.version)
    _run_on_commit(lambda: award_services.contract_sign(contract=contract, actor=u["applicant"], version=contract.version))
    contract.refresh_from_db()
    o["award"], o["contract"] = award, contract
    # A second final award whose contract is still a draft, for editing and signing.
    o["unsigned_contract"] = orm_award(issuer=o["agency"], creator=u["approver"], winner=o["owner_org"]).contract
    o["milestone"] = contract.milestones.order_by("position").last()
    indicator = award.challenge.indicators.get()
    o["delivery"] = _run_on_commit(
        lambda: award_services.delivery_submit(
            milestone=o["milestone"], actor=u["applicant"], report="Wafers shipped", measurements={indicator.pk: Decimal("0.05")}
        )
    )
    o["milestone"].refresh_from_db()
    o["disbursement"] = Disbursement.objects.filter(award=award).order_by("pk").first()


def build_world() -> World:
    """Every object a route needs; call inside a transaction that the caller rolls back."""
    w = World()
    _cast(w)
    _challenges(w)
    _review(w)
    _awards(w)
    return w

"""The people and work the logged-in load scenarios need, built through the services.

    python bench/generate.py --challenges 10000 --actors   # data set, then bidders, bids and reviewers

* bidder organisations (verified enterprises) with an admin each, and draft bids of theirs on
  open generated challenges (`submissions.services.bid_create`);
* one agency of its own with a few challenges (`tests.factories.make_challenge` / `make_bid`,
  i.e. the services), bids submitted on them, bidding closed and the platform's clock advanced
  once, as production does: formal checks, expert assignment and invitations follow;
* experts (`reviews.services.expert_create`) who accept their invitations, so every one of their
  assignments is open for a draft review in a round in progress.

Everything is marked like the generated data (credit codes with region 999999, addresses
@bench.invalid) and made once: a second call only tops it up. Follow-up Celery tasks run inline
here (as in the unit tests) and mails go to memory: a benchmark database sends nothing.
Celery's log lines are kept quiet for the same reason.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from bench.generate import EMAIL_DOMAIN, credit_code, generated_challenges
from challenges.models import Challenge

AGENCY_NUMBER = 1  # credit code ...999999BL0000001: the load test's own agency
BIDDER_BASE = 100  # bidder organisations are ...999999BL0000101 onwards
REVIEW_FIELD = "integrated-circuits"


@dataclass(frozen=True)
class Sizes:
    bidders: int
    bids_per_bidder: int
    review_challenges: int
    bids_per_review_challenge: int
    experts: int


FULL = Sizes(bidders=60, bids_per_bidder=4, review_challenges=8, bids_per_review_challenge=4, experts=40)
SHORT = Sizes(bidders=12, bids_per_bidder=2, review_challenges=2, bids_per_review_challenge=3, experts=12)


def _inline_tasks() -> None:
    """Celery follow-ups run inline at commit (as in the unit tests); mail stays in memory."""
    from config import celery_app

    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("celery").setLevel(logging.WARNING)


def _user(email: str, name: str, **extra) -> User:
    user, _created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "email_verified_at": timezone.now(), **extra}
    )
    if _created:
        user.set_unusable_password()  # the load test logs in with sessions it makes itself
        user.save(update_fields=["password"])
    return user


def _organisation(number: int, name: str, kind: str, size: str) -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        credit_code=credit_code("91" if kind == Organisation.Kind.ENTERPRISE else "11", "L", number),
        defaults={
            "name": name,
            "kind": kind,
            "size": size,
            "status": Organisation.Status.VERIFIED,
            "verified_at": timezone.now(),
            "address": f"{name}办公楼",
        },
    )
    return org


def bidders(sizes: Sizes) -> list[tuple[Organisation, User]]:
    """Verified enterprises, each with one admin who may draft and submit bids."""
    pairs = []
    for i in range(sizes.bidders):
        org = _organisation(BIDDER_BASE + i, f"压测揭榜企业 {i + 1:03d} 有限公司", Organisation.Kind.ENTERPRISE, "medium")
        user = _user(f"load-bidder{i + 1:03d}@{EMAIL_DOMAIN}", f"揭榜人 {i + 1:03d}")
        Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": Membership.Role.ADMIN})
        pairs.append((org, user))
    return pairs


def _open_unrestricted_challenges():
    """Generated challenges open now that any medium enterprise may bid on."""
    return (
        generated_challenges()
        .open_for_bids()
        .filter(smes_only=False)
        .filter(Q(allowed_kinds=[]) | Q(allowed_kinds__contains=["enterprise"]))
        .filter(Q(allowed_sizes=[]) | Q(allowed_sizes__contains=["medium"]))
        .order_by("bidding_closes_at", "pk")
    )


def draft_bids(sizes: Sizes, pairs) -> int:
    """Each bidder drafts bids on `bids_per_bidder` different open challenges (the latest closing)."""
    from submissions import services
    from submissions.models import Bid

    pool = list(_open_unrestricted_challenges().reverse()[: sizes.bidders + sizes.bids_per_bidder + 20])
    if len(pool) < sizes.bids_per_bidder:
        raise SystemExit("Too few open challenges for the draft bids: generate more (bench/generate.py).")
    made = 0
    for i, (org, user) in enumerate(pairs):
        have = Bid.objects.filter(lead=org, status=Bid.Status.DRAFT, challenge__in=generated_challenges()).count()
        taken = set(Bid.objects.filter(lead=org).values_list("challenge_id", flat=True))
        for n in range(len(pool)):
            if have >= sizes.bids_per_bidder:
                break
            challenge = pool[(i * sizes.bids_per_bidder + n) % len(pool)]
            if challenge.pk in taken:
                continue
            services.bid_create(challenge=challenge, actor=user, lead=org, title=f"{org.name}：{challenge.title}"[:200])
            taken.add(challenge.pk)
            have += 1
            made += 1
    return made


def _agency_staff():
    agency = _organisation(AGENCY_NUMBER, "压测发榜机构", Organisation.Kind.AGENCY, "large")
    editor = _user(f"load-editor@{EMAIL_DOMAIN}", "发榜编辑")
    approver = _user(f"load-approver@{EMAIL_DOMAIN}", "发榜审批")
    Membership.objects.get_or_create(user=editor, organisation=agency, defaults={"role": Membership.Role.EDITOR})
    Membership.objects.get_or_create(user=approver, organisation=agency, defaults={"role": Membership.Role.APPROVER})
    operator = _user(f"load-operator@{EMAIL_DOMAIN}", "平台运营", is_operator=True, is_staff=True)
    return agency, editor, approver, operator


def experts(sizes: Sizes, operator) -> list:
    from reviews.models import ExpertProfile
    from reviews.services import expert_save
    from tests.factories import technical_field

    field = technical_field(REVIEW_FIELD)
    profiles = []
    for i in range(sizes.experts):
        email = f"load-expert{i + 1:03d}@{EMAIL_DOMAIN}"
        profile = ExpertProfile.objects.filter(user__email=email).first()
        if profile is None:
            # An active account of their own (as tests/reviews' make_expert): expert_create would
            # invite a new, inactive user who has yet to set a password.
            user = _user(email, f"评审专家 {i + 1:03d}")
            data = {"affiliation": None, "keywords": ["碳化硅", "EDA"], "max_concurrent": 20}
            profile = expert_save(actor=operator, user=user, data=data, fields=[field])
        profiles.append(profile)
    return profiles


def open_assignments():
    """Accepted assignments of the load experts in rounds in progress: what a draft review may save."""
    from reviews.models import Assignment, ReviewRound

    return Assignment.objects.filter(
        status=Assignment.Status.ACCEPTED,
        expert__user__email__startswith="load-expert",
        item__round__status=ReviewRound.Status.IN_PROGRESS,
    )


def _close_and_start(challenge_ids) -> None:
    """Bidding ends now; then what the clock's `start_due_rounds` does, for these challenges only.

    The clock itself would also start rounds for the generator's bulk-made "bidding closed"
    challenges (a hundred per tick, a few tenths of a second each), which is not ours to do.
    """
    from challenges.services import close_due_bidding
    from reviews.models import ReviewRound
    from reviews.services.rounds import expert_round
    from reviews.tasks import start_review

    now = timezone.now()
    Challenge.objects.filter(pk__in=challenge_ids).update(bidding_closes_at=now)
    close_due_bidding(now)
    for challenge in Challenge.objects.filter(pk__in=challenge_ids, status=Challenge.Status.BIDDING_CLOSED):
        with transaction.atomic():
            round = expert_round(challenge)
            claimed = ReviewRound.objects.filter(pk=round.pk, status=ReviewRound.Status.PLANNED).update(
                status=ReviewRound.Status.CHECKING, progress={"step": "queued", "at": now.isoformat()}
            )
        if claimed:
            start_review.delay(str(challenge.pk))  # inline here: checks, assignment, invitations


def review_round(sizes: Sizes, pairs, verbose: bool = True) -> int:
    """Challenges of the load agency with submitted bids, closed and assigned; experts accept."""
    from reviews import services as review_services
    from reviews.models import Assignment
    from tests.factories import make_bid, make_challenge, technical_field

    agency, editor, approver, operator = _agency_staff()
    experts(sizes, operator)
    wanted = sizes.review_challenges * sizes.bids_per_review_challenge  # items, each with several experts
    if open_assignments().values("item").distinct().count() >= wanted:
        return 0
    field = technical_field(REVIEW_FIELD)
    made = []
    for c in range(sizes.review_challenges):
        challenge = make_challenge(
            issuer=agency,
            editor=editor,
            approver=approver,
            status="published",
            fields=[field],
            title=f"压测评审榜单 {c + 1}：8 英寸碳化硅衬底（load-test review challenge）",
        )
        for org, user in pairs[: sizes.bids_per_review_challenge]:
            make_bid(challenge=challenge, lead=org, actor=user, submit=True, title=f"{org.name} 技术方案")
        made.append(challenge.pk)
    _close_and_start(made)
    invited = Assignment.objects.filter(item__round__challenge__in=made, status=Assignment.Status.INVITED)
    for assignment in invited.select_related("expert__user"):
        review_services.assignment_accept(assignment=assignment, actor=assignment.expert.user)
    accepted = open_assignments().filter(item__round__challenge__in=made).count()
    if verbose:
        print(f"  review: {len(made)} challenges closed and assigned, {accepted} assignments accepted", flush=True)
    if not accepted:
        raise SystemExit("No accepted assignment came out of the review set-up: see the clock results.")
    return accepted


def ensure(sizes: Sizes, verbose: bool = True) -> dict[str, int]:
    started = time.perf_counter()
    _inline_tasks()
    pairs = bidders(sizes)
    bids = draft_bids(sizes, pairs)
    accepted = review_round(sizes, pairs, verbose=verbose)
    if verbose:
        print(
            f"  actors: {len(pairs)} bidders (+{bids} draft bids), {accepted} new accepted assignments "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return {"bidders": len(pairs), "new_bids": bids, "new_assignments": accepted}

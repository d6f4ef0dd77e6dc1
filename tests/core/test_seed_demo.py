from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from challenges.models import Challenge
from reviews.models import ExpertProfile
from submissions.models import Bid

pytestmark = pytest.mark.django_db


def counts() -> dict:
    from awards.models import Award, Contract, Decision, Delivery, Disbursement, Objection
    from reviews.models import Assignment, Review, ReviewRound

    models = [User, Organisation, Membership, ExpertProfile, Challenge, Bid, ReviewRound, Assignment, Review]
    models += [Decision, Award, Objection, Contract, Delivery, Disbursement]
    return {m.__name__: m.objects.count() for m in models}


def test_seed_demo_gives_every_role_a_login_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first  # the second run creates nothing new
    out = capsys.readouterr().out
    assert "operator@demo.cn" in out and "demo-pass-2026" in out
    assert User.objects.filter(is_operator=True).count() == 1
    assert Organisation.objects.filter(kind="agency").count() == 1
    assert Organisation.objects.exclude(kind="agency").count() == 3
    assert set(Membership.objects.values_list("role", flat=True)) == {"editor", "approver", "admin", "member"}
    assert ExpertProfile.objects.count() == 10
    assert Challenge.objects.filter(status="published").count() == 3
    assert Bid.objects.filter(status="submitted").count() == 1
    assert User.objects.get(email="editor@demo.cn").check_password("demo-pass-2026")


def test_seed_demo_has_a_challenge_at_every_stage():
    from awards.models import Award, Disbursement, Measurement, Milestone, Objection
    from reviews.models import Assignment, Review, ReviewRound

    call_command("seed_demo")
    for status in ("under_review", "in_publicity", "in_execution", "completed"):
        assert Challenge.objects.filter(status=status).count() == 1, status

    reviewing = Challenge.objects.get(status="under_review")
    assert reviewing.bids.filter(status="under_review").count() == 3
    round = reviewing.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    assert round.status == ReviewRound.Status.IN_PROGRESS
    states = set(Assignment.objects.filter(item__round=round).values_list("status", flat=True))
    assert {"submitted", "invited"} <= states
    assert Review.objects.filter(assignment__item__round=round, status="submitted").exists()

    publicity = Challenge.objects.get(status="in_publicity")
    assert Objection.objects.filter(award__challenge=publicity, status="filed").count() == 1

    running = Challenge.objects.get(status="in_execution")
    award = Award.objects.get(challenge=running)
    assert award.status == Award.Status.IN_PROGRESS
    assert award.contract.status == "signed"
    assert Disbursement.objects.filter(award=award, status="paid").count() == 1
    soon = timezone.localdate() + timedelta(days=30)
    assert award.contract.milestones.filter(status="planned", due_date__lte=soon).exists()

    done = Challenge.objects.get(status="completed")
    award = Award.objects.get(challenge=done)
    assert award.status == Award.Status.COMPLETED
    assert set(Milestone.objects.filter(contract__award=award).values_list("status", flat=True)) == {"passed"}
    paid = Disbursement.objects.filter(award=award, status="paid")
    assert sum(d.amount for d in paid) == award.amount
    assert Measurement.objects.filter(delivery__milestone__contract__award=award).exists()

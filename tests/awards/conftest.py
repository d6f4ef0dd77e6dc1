import pytest

from awards import services
from awards.models import Award
from submissions.models import Bid
from tests.reviews.conftest import closed_challenge, experts  # noqa: F401  (fixtures)
from tests.reviews.test_workflow import score_all, start


@pytest.fixture
def ranked(closed_challenge, experts, django_capture_on_commit_callbacks):  # noqa: F811
    """A challenge whose expert review finished: two shortlisted bids, the bidder's ranked first."""
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    score_all(round, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    closed_challenge.refresh_from_db()
    return closed_challenge


def bids_in_rank_order(challenge) -> list[Bid]:
    items = services.ranking_for(challenge)
    return [services.revision_of(item).bid for item in items]


@pytest.fixture
def proposed(ranked, approver):
    first = bids_in_rank_order(ranked)[0]
    decision = services.decision_propose(challenge=ranked, actor=approver, bids=[first])
    return decision.awards.get()


@pytest.fixture
def final_award(proposed):
    from django.utils import timezone

    services.finalise_due_publicity(proposed.decision.publicity_ends_at + timezone.timedelta(seconds=1))
    return Award.objects.get(pk=proposed.pk)


def run_acceptance(milestone, capture, value: int = 8):
    """Every invited expert of the milestone's acceptance round accepts and scores it."""
    from reviews import services as review_services
    from reviews.models import Assignment

    milestone.refresh_from_db()
    round = milestone.acceptance_round
    criteria = list(round.rubric.criteria.all())
    for assignment in Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED):
        user = assignment.expert.user
        review_services.assignment_accept(assignment=assignment, actor=user)
        with capture(execute=True):
            review_services.review_save(
                assignment=assignment,
                actor=user,
                scores={c.pk: {"value": value, "comment": "Checked on site"} for c in criteria},
                submit=True,
            )
    round.refresh_from_db()
    return round


@pytest.fixture(autouse=True)
def _small_acceptance_panels(settings):
    settings.ACCEPTANCE_EXPERTS = 3

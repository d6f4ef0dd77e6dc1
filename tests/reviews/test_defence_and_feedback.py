from datetime import timedelta

import pytest
from django.utils import timezone

from awards import services as awards
from core.opaque import encode
from reviews import services
from reviews.models import Assignment, ReviewRound
from submissions.models import Bid

from .test_workflow import score_all, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(closed_challenge, experts, django_capture_on_commit_callbacks):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    score_all(round, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    closed_challenge.refresh_from_db()
    return closed_challenge


def test_a_defence_panel_scores_a_slot_per_shortlisted_bid_and_its_ranking_decides(
    ranked, experts, operator, approver, api, django_capture_on_commit_callbacks
):
    panel = experts[:3]
    starts = timezone.now() + timedelta(days=3)
    response = api.as_user(operator).post(
        "/api/v1/review-rounds/defence",
        {
            "challenge": str(ranked.pk),
            "experts": [encode(e.pk) for e in panel],
            "starts_at": starts.isoformat(),
            "slot_minutes": 40,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    defence = ReviewRound.objects.get(kind=ReviewRound.Kind.DEFENCE)
    slots = sorted(defence.items.values_list("slot_at", flat=True))
    assert slots[1] - slots[0] == timedelta(minutes=40)
    assert set(Assignment.objects.filter(item__round=defence).values_list("expert_id", flat=True)) <= {e.pk for e in panel}
    # The defence reverses the expert ranking: the bid ranked second scores higher.
    second = defence.items.order_by("slot_at")[1]
    criteria = list(defence.rubric.criteria.all())
    for a in Assignment.objects.filter(item__round=defence):
        services.assignment_accept(assignment=a, actor=a.expert.user)
        value = 10 if a.item_id == second.pk else 4
        with django_capture_on_commit_callbacks(execute=True):
            services.review_save(
                assignment=a,
                actor=a.expert.user,
                scores={c.pk: {"value": value, "comment": "ok"} for c in criteria},
                submit=True,
            )
    defence.refresh_from_db()
    assert defence.status == ReviewRound.Status.COMPLETED
    assert awards.ranking_for(ranked)[0].subject_id == second.subject_id
    # A second defence is refused; non-operators cannot open one.
    assert (
        api.post(
            "/api/v1/review-rounds/defence",
            {"challenge": str(ranked.pk), "experts": [encode(panel[0].pk)], "starts_at": starts.isoformat()},
            format="json",
        ).status_code
        == 409
    )
    assert (
        api.as_user(approver)
        .post(
            "/api/v1/review-rounds/defence",
            {"challenge": str(ranked.pk), "experts": [encode(panel[0].pk)], "starts_at": starts.isoformat()},
            format="json",
        )
        .status_code
        == 403
    )


def test_applicants_read_anonymised_feedback_only_after_the_decision(ranked, approver, bidder, rival, client, api):
    bid = Bid.objects.get(lead__memberships__user=bidder, challenge=ranked)
    assert api.as_user(bidder).get(f"/api/v1/bids/{bid.pk}/feedback").json() == []
    awards.decision_propose(challenge=ranked, actor=approver, bids=[awards.revision_of(awards.ranking_for(ranked)[0]).bid])
    body = api.as_user(bidder).get(f"/api/v1/bids/{bid.pk}/feedback").json()
    assert len(body) == 3 and {r["reviewer"] for r in body} == {"A", "B", "C"}
    text = str(body)
    for a in Assignment.objects.filter(item__subject_id=str(bid.current_revision_id)):
        assert a.expert.user.full_name not in text and a.expert.user.email not in text
    assert api.as_user(rival).get(f"/api/v1/bids/{bid.pk}/feedback").status_code == 404
    client.force_login(bidder)
    page = client.get(f"/bids/{bid.pk}/").content.decode()
    assert "Review feedback" in page and "Reviewer A" in page

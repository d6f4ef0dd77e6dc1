"""The reviews API end to end: the pool, rounds, assignment, the expert's path, results.

Rounds start the way they do in production: the clock closes bidding and the review chord runs
(inline here), so every API call below meets real state."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from core.opaque import decode, encode
from core.tasks import advance_due_work
from reviews import services
from reviews.models import Assignment, Exclusion, ExpertProfile, Review, ReviewItem, ReviewRound, Rubric
from reviews.services.aggregation import TIE_RULE
from reviews.services.rounds import rounds_plan
from submissions.models import BidRevision
from tests.factories import OrganisationFactory, UserFactory, member, technical_field

from .conftest import expert_round_of, make_expert

pytestmark = pytest.mark.django_db
A = Assignment.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# Helpers shared by the reviews API test modules --------------------------------------------------


def start(challenge, capture) -> ReviewRound:
    """The clock's run after bidding closed: formal checks, assignment and (auto) invitations."""
    with capture(execute=True):
        advance_due_work.apply()
    return expert_round_of(challenge)


def configure(challenge, operator, **settings) -> ReviewRound:
    """Set the expert round up before the clock starts it."""
    rounds_plan(challenge)
    return services.round_configure(round=expert_round_of(challenge), actor=operator, data=settings)


def scores_for(round: ReviewRound, value: int = 8) -> dict:
    return {str(c.pk): {"value": value, "comment": "Reasoned"} for c in round.rubric.criteria.all()}


def accept_and_submit(assignment: Assignment, capture, value: int = 8) -> None:
    user = assignment.expert.user
    services.assignment_accept(assignment=assignment, actor=user)
    scores = {int(k): v for k, v in scores_for(assignment.item.round, value).items()}
    with capture(execute=True):
        services.review_save(assignment=assignment, actor=user, scores=scores, submit=True)


def url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def running(closed_challenge, experts, django_capture_on_commit_callbacks) -> ReviewRound:
    """A round in progress: two items, three invited experts each."""
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.IN_PROGRESS
    return round


@pytest.fixture
def other_agency_staff(other_agency):
    return member(other_agency, Membership.Role.APPROVER, full_name="Other Approver")


# The expert pool -------------------------------------------------------------------------------------


def test_an_operator_lists_and_filters_the_pool(api, operator, experts):
    lab = experts[0].affiliation
    make_expert(operator, name="Zhang Solar", fields=("new-energy",), keywords=("光伏",), cap=1)
    api.as_user(operator)
    body = api.get(url("expert-list")).json()
    assert body["count"] == 9
    assert {"id", "email", "full_name", "affiliation", "tier", "fields", "load", "max_concurrent"} <= set(body["results"][0])
    assert api.get(url("expert-list"), {"search": "zhang"}).json()["count"] == 1
    assert api.get(url("expert-list"), {"field": "new-energy"}).json()["count"] == 1
    assert api.get(url("expert-list"), {"affiliation": encode(lab.pk)}).json()["results"][0]["id"] == encode(experts[0].pk)
    assert api.get(url("expert-list"), {"tier": 3}).json()["count"] == 9
    assert api.get(url("expert-list"), {"tier": 1}).json()["count"] == 0


def test_the_pool_shows_each_experts_open_load(api, operator, running):
    busy = Assignment.objects.filter(item__round=running).values_list("expert_id", flat=True)
    api.as_user(operator)
    rows = {decode(r["id"]): r["load"] for r in api.get(url("expert-list"), {"page_size": 100}).json()["results"]}
    for expert_id in set(busy):
        assert rows[expert_id] == list(busy).count(expert_id)
    by_load = [r["load"] for r in api.get(url("expert-list"), {"ordering": "-load"}).json()["results"]]
    assert by_load == sorted(by_load, reverse=True)
    full = ExpertProfile.objects.get(pk=busy[0])
    ExpertProfile.objects.filter(pk=full.pk).update(max_concurrent=rows[full.pk])
    available = {decode(r["id"]) for r in api.get(url("expert-list"), {"available": "true", "page_size": 100}).json()["results"]}
    assert full.pk not in available


def test_an_operator_adds_an_expert_by_email(api, operator):
    lab = OrganisationFactory(name="Materials Lab")
    body = {
        "email": "New.Expert@Example.cn",
        "full_name": "Wang Fang",
        "affiliation": encode(lab.pk),
        "tier": 2,
        "keywords": ["碳化硅", "crystal growth"],
        "fields": ["integrated-circuits"],
    }
    response = api.as_user(operator).post(url("expert-list"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "new.expert@example.cn" and data["full_name"] == "Wang Fang"
    assert data["affiliation"] == {"id": encode(lab.pk), "name": "Materials Lab"}
    assert data["tier"] == 2 and data["fields"] == ["integrated-circuits"] and data["load"] == 0
    again = api.post(url("expert-list"), body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    bad = api.post(url("expert-list"), {**body, "email": "x@example.cn", "fields": ["no-such-field"]}, format="json")
    assert bad.status_code == 400 and "fields" in bad.json()["fields"]


def test_an_expert_edits_only_keywords_bio_and_title_of_their_own_profile(api, operator, experts):
    me, other = experts[0], experts[1]
    api.as_user(me.user)
    response = api.patch(url("expert-detail", me.pk), {"bio": "Crystal growth since 2005", "title": "Professor"})
    assert response.status_code == 200 and response.json()["title"] == "Professor"
    assert api.patch(url("expert-detail", me.pk), {"tier": 1}, format="json").status_code == 403
    assert api.patch(url("expert-detail", me.pk), {"fields": ["new-energy"]}, format="json").status_code == 403
    assert api.get(url("expert-detail", other.pk)).status_code == 404
    assert api.patch(url("expert-detail", other.pk), {"bio": "x"}).status_code == 404
    me.refresh_from_db()
    assert me.tier == ExpertProfile.Tier.EXPERT
    operator_edit = api.as_user(operator).patch(
        url("expert-detail", me.pk), {"tier": 1, "max_concurrent": 3, "fields": ["new-energy"]}, format="json"
    )
    assert operator_edit.status_code == 200
    assert operator_edit.json()["tier"] == 1 and operator_edit.json()["fields"] == ["new-energy"]


def test_an_expert_declares_and_lists_conflicts(api, experts, rival_org):
    me = experts[0]
    api.as_user(me.user)
    created = api.post(url("expert-conflicts", me.pk), {"organisation": encode(rival_org.pk), "reason": "Former student"})
    assert created.status_code == 201, created.content
    assert created.json()["organisation"] == {"id": encode(rival_org.pk), "name": rival_org.name}
    nameless = api.post(url("expert-conflicts", me.pk), {"reason": "Someone"})
    assert nameless.status_code == 400 and "reason" in nameless.json()["fields"]
    listed = api.get(url("expert-conflicts", me.pk)).json()
    assert [c["reason"] for c in listed] == ["Former student"]
    assert api.get(url("expert-conflicts", experts[1].pk)).status_code == 404


CSV_HEADER = "email,full_name,affiliation_credit_code,title,tier,fields,keywords,max_concurrent,finance\n"


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("experts.csv", (CSV_HEADER + text).encode(), content_type="text/csv")


def test_a_csv_with_two_bad_rows_reports_both_lines_and_imports_nothing(api, operator):
    text = (
        "li@example.cn,Li Lei,,Professor,2,integrated-circuits,SiC;GaN,5,yes\n"
        "not-an-email,Han Meimei,,,3,,,,\n"
        "zhao@example.cn,Zhao Yun,,,3,integrated-circuits,,,\n"
        "qian@example.cn,Qian Bo,,,9,no-such-field,,,\n"
    )
    response = api.as_user(operator).post(url("expert-import"), {"file": csv_upload(text)}, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert [e["line"] for e in body["errors"]] == [3, 5]
    assert "email" in body["errors"][0]["message"]
    assert "tier" in body["errors"][1]["message"] and "no-such-field" in body["errors"][1]["message"]
    assert set(body["fields"]) == {"line 3", "line 5"}
    assert not ExpertProfile.objects.exists()


def test_a_good_csv_imports_after_a_dry_run_that_changes_nothing(api, operator):
    lab = OrganisationFactory(name="Import Lab")
    text = (
        f"li@example.cn,Li Lei,{lab.credit_code},Professor,2,integrated-circuits,SiC;GaN,5,yes\n"
        "zhao@example.cn,Zhao Yun,,,3,integrated-circuits;new-energy,,,\n"
    )
    api.as_user(operator)
    dry = api.post(url("expert-import"), {"file": csv_upload(text), "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200 and dry.json() == {"dry_run": True, "created": 2, "updated": 0, "errors": []}
    assert not ExpertProfile.objects.exists()
    done = api.post(url("expert-import"), {"file": csv_upload(text)}, format="multipart")
    assert done.json() == {"dry_run": False, "created": 2, "updated": 0, "errors": []}
    li = ExpertProfile.objects.get(user__email="li@example.cn")
    assert li.affiliation == lab and li.tier == 2 and li.is_finance_expert and li.max_concurrent == 5
    assert sorted(li.keywords) == ["GaN", "SiC"]
    again = api.post(url("expert-import"), {"file": csv_upload(text)}, format="multipart")
    assert again.json()["updated"] == 2


def test_a_csv_naming_one_email_twice_is_refused_with_both_lines(api, operator):
    text = "li@example.cn,Li Lei,,,,,,,\nLI@example.cn,Li Lei again,,,,,,,\n"
    response = api.as_user(operator).post(url("expert-import"), {"file": csv_upload(text)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 3 and "line 2" in response.json()["errors"][0]["message"]


# Rounds -------------------------------------------------------------------------------------------


def test_rounds_are_listed_for_operators_and_the_issuing_agency_only(
    api, operator, editor, other_agency_staff, running, closed_challenge
):
    assert api.as_user(operator).get(url("round-list")).json()["count"] == 2
    mine = api.as_user(editor).get(url("round-list"), {"challenge": str(closed_challenge.pk)}).json()
    assert {r["kind"] for r in mine["results"]} == {"formal_check", "expert_review"}
    assert api.as_user(other_agency_staff).get(url("round-list")).json()["count"] == 0
    detail = api.as_user(editor).get(url("round-detail", running.pk)).json()
    assert detail["status"] == "in_progress" and len(detail["items"]) == 2
    assert len(detail["rubric"]["criteria"]) == 5
    assert api.as_user(other_agency_staff).get(url("round-detail", running.pk)).status_code == 404


def test_an_operator_configures_a_round_before_it_starts(api, operator, editor, closed_challenge):
    rounds_plan(closed_challenge)
    round = expert_round_of(closed_challenge)
    api.as_user(operator)
    response = api.patch(
        url("round-detail", round.pk), {"experts_per_item": 5, "blind": False, "aggregation": "median"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["experts_per_item"] == 5 and response.json()["aggregation"] == "median"
    bad = api.patch(url("round-detail", round.pk), {"experts_per_item": 99}, format="json")
    assert bad.status_code == 400 and "experts_per_item" in bad.json()["fields"]
    reversed_deadlines = {"soft_deadline": "2030-05-10T12:00:00Z", "hard_deadline": "2030-05-01T12:00:00Z"}
    assert api.patch(url("round-detail", round.pk), reversed_deadlines, format="json").status_code == 400
    milestone_rubric = Rubric.objects.get(name__startswith="Milestone")
    switched = api.patch(url("round-detail", round.pk), {"rubric": milestone_rubric.pk}, format="json").json()
    assert switched["rubric"]["id"] == milestone_rubric.pk and len(switched["rubric"]["criteria"]) == 3
    assert api.patch(url("round-detail", round.pk), {"rubric": 0}, format="json").status_code == 400
    assert api.as_user(editor).patch(url("round-detail", round.pk), {"name": "Mine"}).status_code == 403


def test_a_started_round_cannot_be_reconfigured(api, operator, running):
    response = api.as_user(operator).patch(url("round-detail", running.pk), {"experts_per_item": 4})
    assert response.status_code == 409 and response.json()["code"] == "round_started"


def test_infeasible_assignment_is_409_with_the_reasons_then_succeeds_with_more_experts(
    api, operator, closed_challenge, django_capture_on_commit_callbacks
):
    make_expert(operator, name="Lonely", affiliation=OrganisationFactory())
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.ASSIGNING
    api.as_user(operator)
    response = api.post(url("round-assign", round.pk))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "infeasible"
    for item in round.items.all():
        assert item.blind_label in body["detail"]
    assert not Assignment.objects.exists()
    for n in range(6):
        make_expert(operator, name=f"Recruit {n}", affiliation=OrganisationFactory())
    assigned = api.post(url("round-assign", round.pk))
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignments"] == 2 * round.experts_per_item
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.PROPOSED
    assert set(Assignment.objects.values_list("status", flat=True)) == {A.PROPOSED}


def test_an_operator_previews_locks_recomputes_adds_by_hand_and_invites(
    api, operator, bidder_org, closed_challenge, experts, django_capture_on_commit_callbacks
):
    configure(closed_challenge, operator, auto_invite=False)
    insider = make_expert(operator, name="Insider", affiliation=bidder_org)
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.PROPOSED
    api.as_user(operator)
    pairs = api.get(url("round-assignments", round.pk)).json()
    assert pairs["count"] == 6
    first = pairs["results"][0]
    assert {"item", "expert", "affinity", "locked", "status"} <= set(first)
    assert first["expert"]["full_name"].startswith("Expert") and first["status"] == "proposed"

    assert api.post(url("assignment-lock", first["id"])).json()["locked"] is True
    assert api.post(url("round-assign", round.pk)).status_code == 200
    kept = Assignment.objects.get(pk=decode(first["id"]))
    assert kept.locked and kept.status == A.PROPOSED
    assert api.delete(url("assignment-lock", first["id"])).json()["locked"] is False

    bidder_item = next(i for i in round.items.all() if bidder_org.pk in i.organisation_ids)
    conflicted = api.post(url("round-assignments", round.pk), {"item": encode(bidder_item.pk), "expert": encode(insider.pk)})
    assert conflicted.status_code == 400 and "expert" in conflicted.json()["fields"]
    spare = make_expert(operator, name="Spare", affiliation=OrganisationFactory())
    added = api.post(url("round-assignments", round.pk), {"item": encode(bidder_item.pk), "expert": encode(spare.pk)})
    assert added.status_code == 201 and added.json()["locked"] is True
    unknown = api.post(url("round-assignments", round.pk), {"item": encode(10**9), "expert": encode(spare.pk)})
    assert unknown.status_code == 400 and "item" in unknown.json()["fields"]

    with django_capture_on_commit_callbacks(execute=True):
        invited = api.post(url("round-invite", round.pk))
    assert invited.json() == {"invited": 7}
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.IN_PROGRESS
    assert api.post(url("assignment-lock", first["id"])).status_code == 409
    assert api.post(url("round-assign", round.pk)).status_code == 409


def test_the_operator_sees_every_exclusion_with_its_reason(
    api, operator, bidder_org, closed_challenge, experts, django_capture_on_commit_callbacks
):
    insider = make_expert(operator, name="Insider", affiliation=bidder_org)
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    rows = api.as_user(operator).get(url("round-exclusions", round.pk)).json()["results"]
    mine = [r for r in rows if r["expert"]["id"] == encode(insider.pk)]
    assert [r["reason"] for r in mine] == [Exclusion.Reason.SAME_ORGANISATION]
    assert mine[0]["detail"] == bidder_org.name and mine[0]["reason_display"]


def test_an_operator_decides_a_formal_check_with_a_reason(api, operator, running):
    item = running.items.first()
    api.as_user(operator)
    missing = api.post(url("item-formal-check", item.pk), {"passed": True, "reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    response = api.post(url("item-formal-check", item.pk), {"passed": True, "reason": "Documents complete"})
    assert response.status_code == 200
    assert response.json()["check_status"] == "passed" and response.json()["check_reason"] == "Documents complete"


def test_progress_counts_by_status_without_names_for_the_agency(api, editor, running):
    body = api.as_user(editor).get(url("round-progress", running.pk)).json()
    assert body["by_status"] == {"invited": 6} and body["items"] == 2 and body["overdue"] == 0
    assert body["progress"]["step"] == "assigned"
    text = api.get(url("round-progress", running.pk)).content.decode()
    for expert in ExpertProfile.objects.select_related("user"):
        assert expert.user.full_name not in text and expert.user.email not in text


def test_progress_counts_reviews_open_after_the_soft_deadline(api, operator, running):
    from django.utils import timezone

    ReviewRound.objects.filter(pk=running.pk).update(soft_deadline=timezone.now())
    assert api.as_user(operator).get(url("round-progress", running.pk)).json()["overdue"] == 6


# The expert's path --------------------------------------------------------------------------------


def test_the_full_path_of_an_expert_through_the_api(api, operator, running):
    assignment = Assignment.objects.filter(item__round=running).select_related("expert__user").first()
    expert = assignment.expert.user
    api.as_user(expert)
    listed = api.get(url("assignment-list")).json()
    assert [a["id"] for a in listed["results"]] == [encode(assignment.pk)]
    assert listed["results"][0]["status"] == "invited" and listed["results"][0]["review"] is None

    invited = api.get(url("assignment-detail", assignment.pk)).json()
    assert invited["content"] is None and len(invited["criteria"]) == 5
    assert api.put(url("review-draft", assignment.pk), {"comment": "x"}, format="json").status_code == 403

    accepted = api.post(url("assignment-accept", assignment.pk))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["content"]["technical_approach"]
    assert api.post(url("assignment-accept", assignment.pk)).status_code == 409

    scores = scores_for(running)
    first_key = next(iter(scores))
    draft = api.put(url("review-draft", assignment.pk), {"scores": {first_key: scores[first_key]}, "comment": "So far"}, "json")
    assert draft.status_code == 200, draft.content
    assert draft.json()["status"] == "draft" and draft.json()["scores"] == {first_key: scores[first_key]}
    incomplete = api.post(url("review-submit", assignment.pk))
    assert incomplete.status_code == 400 and len(incomplete.json()["fields"]) == 4
    out_of_range = api.put(url("review-draft", assignment.pk), {"scores": {first_key: {"value": 11}}}, "json")
    assert out_of_range.status_code == 400 and f"criterion_{first_key}" in out_of_range.json()["fields"]

    submitted = api.post(url("review-submit", assignment.pk), {"scores": scores}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["total"] == "80.00"
    assert submitted.json()["comment"] == "So far"
    locked = api.put(url("review-draft", assignment.pk), {"scores": scores}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "review_locked"
    assert api.post(url("review-reopen", assignment.pk), {"reason": "mine"}).status_code == 403

    api.as_user(operator)
    assert api.post(url("review-reopen", assignment.pk), {"reason": ""}).status_code == 400
    reopened = api.post(url("review-reopen", assignment.pk), {"reason": "Typo in the budget score"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"

    api.as_user(expert)
    again = api.post(url("review-submit", assignment.pk))
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    mine = api.get(url("review-list")).json()
    assert [r["assignment"] for r in mine["results"]] == [encode(assignment.pk)]
    assert api.get(url("assignment-detail", assignment.pk)).json()["my_review"]["status"] == "submitted"


def test_a_decline_through_the_api_brings_in_a_replacement(api, running, django_capture_on_commit_callbacks):
    assignment = Assignment.objects.filter(item__round=running).select_related("expert__user").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(assignment.expert.user).post(url("assignment-decline", assignment.pk), {"reason": "Travelling"})
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert response.json()["content"] is None and response.json()["criteria"] == []
    replacement = Assignment.objects.get(replaces=assignment)
    assert replacement.status == A.INVITED and replacement.expert != assignment.expert
    live = Assignment.objects.filter(item=assignment.item, status__in=Assignment.LIVE_STATES)
    assert live.count() == running.experts_per_item


def test_a_recused_expert_sees_only_the_status(api, running, django_capture_on_commit_callbacks):
    """Decision: a recused expert keeps the assignment in their list with its status, and nothing
    of the item: no content, files, rubric or review; the review endpoints refuse (403)."""
    assignment = Assignment.objects.filter(item__round=running).select_related("expert__user").first()
    user = assignment.expert.user
    api.as_user(user)
    api.post(url("assignment-accept", assignment.pk))
    api.put(url("review-draft", assignment.pk), {"comment": "Started"}, format="json")
    assert api.post(url("assignment-recuse", assignment.pk), {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url("assignment-recuse", assignment.pk), {"reason": "My former student leads it"})
    assert response.status_code == 200
    body = api.get(url("assignment-detail", assignment.pk)).json()
    assert body["status"] == "recused"
    assert body["content"] is None and body["attachments"] == [] and body["criteria"] == []
    assert body["my_review"] is None and body["other_reviews"] == []
    assert api.get(url("assignment-attachment", assignment.pk, 1)).status_code == 403
    assert api.put(url("review-draft", assignment.pk), {"comment": "x"}, format="json").status_code == 403
    assert api.get(url("review-list")).json()["count"] == 0
    assert Assignment.objects.filter(replaces=assignment, status=A.INVITED).exists()


def test_other_reviewers_scores_show_anonymously_after_submitting_when_the_round_allows(
    api, operator, closed_challenge, experts, django_capture_on_commit_callbacks
):
    configure(closed_challenge, operator, show_scores_after_submit=True, quorum=3)
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    item = round.items.first()
    first, second, _third = Assignment.objects.filter(item=item).select_related("expert__user")
    accept_and_submit(first, django_capture_on_commit_callbacks, value=6)
    services.assignment_accept(assignment=second, actor=second.expert.user)
    api.as_user(second.expert.user)
    assert api.get(url("assignment-detail", second.pk)).json()["other_reviews"] == []
    api.post(url("review-submit", second.pk), {"scores": scores_for(round, 9)}, format="json")
    response = api.get(url("assignment-detail", second.pk))
    others = response.json()["other_reviews"]
    assert [(o["reviewer"], o["total"]) for o in others] == [("Reviewer A", "60.00")]
    assert first.expert.user.full_name not in response.content.decode()


def test_other_reviewers_scores_stay_hidden_when_the_round_does_not_allow(api, running, django_capture_on_commit_callbacks):
    item = running.items.first()
    first, second, _third = Assignment.objects.filter(item=item).select_related("expert__user")
    accept_and_submit(first, django_capture_on_commit_callbacks)
    accept_and_submit(second, django_capture_on_commit_callbacks)
    assert api.as_user(second.expert.user).get(url("assignment-detail", second.pk)).json()["other_reviews"] == []


# Results --------------------------------------------------------------------------------------------


def test_results_are_409_before_completion_then_ranked_with_anonymous_reviewers(
    api, editor, approver, other_agency_staff, running, django_capture_on_commit_callbacks
):
    assert api.as_user(approver).get(url("round-results", running.pk)).status_code == 409
    for n, assignment in enumerate(Assignment.objects.filter(item__round=running).select_related("expert__user")):
        accept_and_submit(assignment, django_capture_on_commit_callbacks, value=5 + n)
    running.refresh_from_db()
    assert running.status == ReviewRound.Status.COMPLETED
    response = api.as_user(approver).get(url("round-results", running.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["tie_rule"] == str(TIE_RULE) and body["aggregation"] == "mean"
    assert [i["rank"] for i in body["items"]] == [1, 2]
    top = body["items"][0]
    assert top["review_count"] == 3 and Decimal(top["score"]) >= Decimal(body["items"][1]["score"])
    assert [r["reviewer"] for r in top["reviews"]] == ["Reviewer A", "Reviewer B", "Reviewer C"]
    assert {"spread", "std", "flagged"} <= set(top)
    text = response.content.decode()
    for expert in ExpertProfile.objects.select_related("user"):
        assert expert.user.full_name not in text and expert.user.email not in text
    assert api.as_user(editor).get(url("round-results", running.pk)).status_code == 200
    assert api.as_user(other_agency_staff).get(url("round-results", running.pk)).status_code == 404


def test_a_review_whose_author_recused_after_submitting_is_not_counted(
    api, operator, running, django_capture_on_commit_callbacks
):
    item = running.items.first()
    first = Assignment.objects.filter(item=item).select_related("expert__user").first()
    accept_and_submit(first, django_capture_on_commit_callbacks, value=10)
    services.assignment_recuse(assignment=first, actor=first.expert.user, reason="Conflict found late")
    from reviews.services.aggregation import item_totals

    assert item_totals(item) == []


# Query counts -------------------------------------------------------------------------------------


def _pool(operator, n: int) -> None:
    field = technical_field()
    for i in range(n):
        profile = ExpertProfile.objects.create(
            user=UserFactory(full_name=f"Pooled {i}"), affiliation=OrganisationFactory(), keywords=["x"]
        )
        profile.fields.add(field)


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_the_expert_list_runs_the_same_queries_for_1_or_50_experts(api, operator, django_assert_max_num_queries):
    _pool(operator, 1)
    api.as_user(operator)
    one = _queries(api, url("expert-list"))
    _pool(operator, 49)
    with django_assert_max_num_queries(one):
        assert api.get(url("expert-list"), {"page_size": 100}).json()["count"] == 50


def _assign(expert: ExpertProfile, round: ReviewRound, n: int) -> None:
    content_type = ContentType.objects.get_for_model(BidRevision)
    for i in range(n):
        item = ReviewItem.objects.create(
            round=round,
            subject_type=content_type,
            subject_id=f"x{expert.pk}-{i}-{ReviewItem.objects.count()}",
            label="Item",
            blind_label=f"Bid {i}",
        )
        assignment = Assignment.objects.create(item=item, expert=expert, status=A.ACCEPTED)
        if i % 2:
            Review.objects.create(assignment=assignment)


def test_the_assignment_list_runs_the_same_queries_for_1_or_20(api, operator, closed_challenge, django_assert_max_num_queries):
    round = rounds_plan(closed_challenge)[1]
    expert = make_expert(operator, name="Busy")
    _assign(expert, round, 1)
    api.as_user(expert.user)
    one = _queries(api, url("assignment-list"))
    _assign(expert, round, 19)
    with django_assert_max_num_queries(one):
        assert api.get(url("assignment-list"), {"page_size": 100}).json()["count"] == 20

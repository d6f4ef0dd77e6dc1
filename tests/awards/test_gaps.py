"""Re-issue, no award, down-select and objection evidence, reachable through the API and the pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from awards import services
from awards.models import Award, Contract, Evidence, Objection
from challenges.models import Challenge
from core.opaque import encode
from tests.factories import make_challenge, member

from .conftest import bids_in_rank_order, run_acceptance

V1 = "/api/v1"
OBJECTION = {"real_name": "Liu Yang", "contact": "13800000000", "grounds": "The data were copied."}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def cancelled(agency, editor, approver):
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.CANCELLED)
    challenge.refresh_from_db()
    return challenge


# Re-issue -----------------------------------------------------------------------------------------------


def test_reissue_via_the_api_makes_a_linked_draft(cancelled, editor, api):
    response = api.as_user(editor).post(f"{V1}/challenges/{cancelled.pk}/reissue")
    assert response.status_code == 201
    draft = Challenge.objects.get(pk=response.json()["id"])
    assert draft.status == Challenge.Status.DRAFT and draft.reissued_from_id == cancelled.pk
    assert draft.issuer_id == cancelled.issuer_id


def test_reissue_refuses_a_published_challenge_with_409(agency, editor, approver, api):
    published = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    response = api.as_user(editor).post(f"{V1}/challenges/{published.pk}/reissue")
    assert response.status_code == 409
    assert not Challenge.objects.filter(reissued_from=published).exists()


def test_reissue_is_for_the_issuing_agency_only(cancelled, agency, editor, other_agency, rival, api):
    outsider = member(other_agency, Membership.Role.EDITOR, full_name="Other Agency Editor")
    url = f"{V1}/challenges/{cancelled.pk}/reissue"
    assert api.as_user(rival).post(url).status_code == 403  # public: known, but not theirs
    assert api.as_user(outsider).post(url).status_code == 403
    assert api.as_user(None).post(url).status_code in {401, 403}
    draft = make_challenge(issuer=agency, editor=editor)
    assert api.as_user(outsider).post(f"{V1}/challenges/{draft.pk}/reissue").status_code == 404
    assert not Challenge.objects.filter(reissued_from=cancelled).exists()


def test_reissue_from_the_page(cancelled, editor, rival, client):
    client.force_login(editor)
    detail = client.get(reverse("frontend:challenge_detail", args=[cancelled.pk]))
    assert "Re-issue as a new draft" in detail.content.decode()
    response = client.post(reverse("frontend:challenge_reissue", args=[cancelled.pk]))
    draft = Challenge.objects.get(reissued_from=cancelled)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:challenge_edit", args=[draft.pk])
    page = client.get(reverse("frontend:challenge_detail", args=[draft.pk]))
    assert reverse("frontend:challenge_detail", args=[cancelled.pk]) in page.content.decode()

    client.force_login(rival)
    detail = client.get(reverse("frontend:challenge_detail", args=[cancelled.pk]))
    assert "Re-issue as a new draft" not in detail.content.decode()
    assert client.post(reverse("frontend:challenge_reissue", args=[cancelled.pk])).status_code == 403


def test_no_reissue_button_on_a_published_challenge(agency, editor, approver, client):
    published = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    client.force_login(editor)
    page = client.get(reverse("frontend:challenge_detail", args=[published.pk]))
    assert "Re-issue as a new draft" not in page.content.decode()
    response = client.post(reverse("frontend:challenge_reissue", args=[published.pk]))
    assert response.status_code == 302 and not Challenge.objects.filter(reissued_from=published).exists()


# No award ----------------------------------------------------------------------------------------------


def test_no_award_via_the_api(ranked, approver, bidder, editor, api):
    url = f"{V1}/decisions/none"
    assert api.as_user(bidder).post(url, {"challenge": ranked.pk, "reason": "No"}, format="json").status_code == 403
    blank = api.as_user(approver).post(url, {"challenge": ranked.pk, "reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    response = api.as_user(approver).post(url, {"challenge": ranked.pk, "reason": "None is good"}, format="json")
    assert response.status_code == 200 and response.json()["id"] == str(ranked.pk)
    ranked.refresh_from_db()
    assert ranked.status == Challenge.Status.UNAWARDED
    again = api.as_user(approver).post(url, {"challenge": ranked.pk, "reason": "Again"}, format="json")
    assert again.status_code == 409
    reissued = api.as_user(editor).post(f"{V1}/challenges/{ranked.pk}/reissue")
    assert reissued.status_code == 201


# Down-select ------------------------------------------------------------------------------------------


def _horse_race_at_the_gate(ranked, approver, bidder, rival, capture) -> dict:
    Challenge.objects.filter(pk=ranked.pk).update(funding_mode="horse_race", max_winners=2)
    ranked.refresh_from_db()
    decision = services.decision_propose(challenge=ranked, actor=approver, bids=bids_in_rank_order(ranked))
    services.finalise_due_publicity(decision.publicity_ends_at)
    scores = {}
    for award, admin, value in zip(
        sorted(Award.objects.filter(decision=decision), key=lambda a: a.rank), (bidder, rival), (5, 9), strict=True
    ):
        contract = Contract.objects.get(award=award)
        today, third = timezone.localdate(), (award.amount * Decimal("0.3")).quantize(Decimal("0.01"))
        contract = services.contract_update(
            contract=contract,
            actor=approver,
            milestones=[
                {"title": "Signing", "due_date": today, "tranche_amount": award.amount - 2 * third},
                {
                    "title": "Prototype gate",
                    "due_date": today,
                    "tranche_amount": third,
                    "is_down_select": True,
                    "keep_best": 1,
                },
                {"title": "Final", "due_date": today, "tranche_amount": third},
            ],
        )
        services.contract_sign(contract=contract, actor=approver, version=contract.version)
        services.contract_sign(contract=contract, actor=admin, version=contract.version)
        gate = contract.milestones.get(position=1)
        with capture(execute=True):
            services.delivery_submit(milestone=gate, actor=admin, report="Prototype", measurements={})
        run_acceptance(gate, capture, value=value)
        services.acceptance_decide(milestone=gate, actor=approver, outcome="pass", reason="Prototype works")
        scores[award.pk] = value
    return scores


def test_down_select_via_the_api_keeps_the_best_team(ranked, approver, bidder, rival, api, django_capture_on_commit_callbacks):
    scores = _horse_race_at_the_gate(ranked, approver, bidder, rival, django_capture_on_commit_callbacks)
    url = f"{V1}/decisions/down-select"
    assert api.as_user(bidder).post(url, {"challenge": ranked.pk, "position": 1}, format="json").status_code == 403
    wrong = api.as_user(approver).post(url, {"challenge": ranked.pk, "position": 0}, format="json")
    assert wrong.status_code == 409
    response = api.as_user(approver).post(url, {"challenge": ranked.pk, "position": 1}, format="json")
    assert response.status_code == 200
    best = max(scores, key=scores.get)
    assert response.json()["kept"] == [str(best)]
    assert Award.objects.exclude(pk=best).get(challenge=ranked).status == Award.Status.ELIMINATED


def test_down_select_from_the_award_notice(ranked, approver, bidder, rival, client, django_capture_on_commit_callbacks):
    scores = _horse_race_at_the_gate(ranked, approver, bidder, rival, django_capture_on_commit_callbacks)
    award = Award.objects.filter(challenge=ranked).first()
    client.force_login(bidder)
    assert "Run the down-select" not in client.get(reverse("frontend:award_detail", args=[award.pk])).content.decode()
    client.force_login(approver)
    page = client.get(reverse("frontend:award_detail", args=[award.pk]))
    assert "Run the down-select" in page.content.decode()
    response = client.post(reverse("frontend:award_down_select", args=[award.pk]), {"ds-position": "1"})
    best = max(scores, key=scores.get)
    assert response.status_code == 302
    assert Award.objects.exclude(pk=best).get(challenge=ranked).status == Award.Status.ELIMINATED


# Objection evidence ----------------------------------------------------------------------------------------


def test_objection_evidence_is_stored_and_for_operators_only(proposed, rival, approver, editor, operator, api):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    upload = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    response = api.as_user(rival).post(url, OBJECTION | {"files": [upload]}, format="multipart")
    assert response.status_code == 201, response.json()
    evidence = Evidence.objects.get()
    assert encode(evidence.objection_id) == response.json()["id"] and evidence.name == "proof.pdf"
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    assert [e["name"] for e in response.json()["evidence"]] == ["proof.pdf"]

    download = f"{V1}/evidence/{encode(evidence.pk)}/download"
    got = api.as_user(operator).get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    for user in (None, approver, editor, rival):
        assert api.as_user(user).get(download).status_code == 404


def test_a_text_file_named_pdf_is_refused_and_nothing_saved(proposed, rival, api):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    good = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    fake = SimpleUploadedFile("fake.pdf", b"just some text, not a PDF at all", content_type="application/pdf")
    response = api.as_user(rival).post(url, OBJECTION | {"files": [good, fake]}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()["fields"]
    assert not Objection.objects.exists() and not Evidence.objects.exists()


def test_at_most_five_evidence_files(proposed, rival, api):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    uploads = [SimpleUploadedFile(f"p{i}.pdf", PDF, content_type="application/pdf") for i in range(6)]
    response = api.as_user(rival).post(url, OBJECTION | {"files": uploads}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()["fields"]
    assert not Objection.objects.exists()


def test_objection_with_evidence_from_the_page(proposed, rival, operator, approver, client):
    client.force_login(rival)
    url = reverse("frontend:objection_file", args=[proposed.pk])
    fake = SimpleUploadedFile("fake.pdf", b"plain text", content_type="application/pdf")
    refused = client.post(url, OBJECTION | {"files": [fake]})
    assert refused.status_code == 400 and not Objection.objects.exists()
    upload = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    assert client.post(url, OBJECTION | {"files": [upload]}).status_code == 302
    evidence = Evidence.objects.get()
    link = reverse("frontend:evidence_download", args=[evidence.pk])

    client.force_login(operator)
    assert link in client.get(reverse("frontend:award_detail", args=[proposed.pk])).content.decode()
    got = client.get(link)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    client.force_login(approver)
    assert link not in client.get(reverse("frontend:award_detail", args=[proposed.pk])).content.decode()
    assert client.get(link).status_code == 404

"""The challenge services directly: lifecycle, amendments, questions, NDAs, files and the clock."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership
from challenges import selectors, services
from challenges.models import Challenge, FieldSubscription, NdaSignature
from core.errors import DomainError, InvalidTransition
from core.models import AuditEvent, Notification
from core.tasks import advance_due_work
from tests.factories import (
    OrganisationFactory,
    challenge_data,
    indicator_data,
    make_challenge,
    member,
    technical_field,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def notified(verb: str) -> Counter:
    return Counter(Notification.objects.filter(verb=verb).values_list("recipient_id", flat=True))


def close_deadline_now(challenge: Challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))


# Drafting ---------------------------------------------------------------------------------------


def test_an_editor_creates_a_private_draft_with_fields_and_indicators(agency, editor, bidder):
    challenge = services.challenge_create(
        actor=editor,
        issuer=agency,
        data=challenge_data(),
        fields=[technical_field(), technical_field("advanced-materials")],
        indicators=[indicator_data(), indicator_data(name="Wafer diameter", comparison="gte", target_value=200)],
    )
    assert challenge.status == Challenge.Status.DRAFT
    assert {f.code for f in challenge.fields.all()} == {"integrated-circuits", "advanced-materials"}
    assert [i.name for i in challenge.indicators.all()] == ["Micropipe density", "Wafer diameter"]
    assert "碳化硅" in challenge.search_text and "advanced materials" in challenge.search_text
    assert AuditEvent.objects.filter(action="challenge.create", actor=editor).exists()
    assert not selectors.visible_challenges(bidder).filter(pk=challenge.pk).exists()


def test_a_draft_needs_at_least_one_indicator(agency, editor):
    with pytest.raises(ValidationError) as caught:
        services.challenge_create(actor=editor, issuer=agency, data=challenge_data(), fields=[technical_field()], indicators=[])
    assert "indicators" in caught.value.message_dict
    assert not Challenge.objects.exists()


def test_bidding_must_close_after_it_opens_and_funding_must_be_positive(agency, editor):
    now = timezone.now()
    data = challenge_data(bidding_opens_at=now + timedelta(days=5), bidding_closes_at=now, government_funding=Decimal("-5"))
    with pytest.raises(ValidationError) as caught:
        services.challenge_create(
            actor=editor, issuer=agency, data=data, fields=[technical_field()], indicators=[indicator_data()]
        )
    assert {"bidding_closes_at", "government_funding"} <= set(caught.value.message_dict)


def test_an_unverified_agency_cannot_create_challenges(editor):
    pending_agency = OrganisationFactory(agency=True, pending=True)
    pending_editor = member(pending_agency, Membership.Role.EDITOR)
    with pytest.raises(DomainError):
        services.challenge_create(
            actor=pending_editor,
            issuer=pending_agency,
            data=challenge_data(),
            fields=[technical_field()],
            indicators=[indicator_data()],
        )


def test_an_applicant_cannot_create_a_challenge_for_an_agency(agency, bidder):
    with pytest.raises(PermissionDenied):
        services.challenge_create(
            actor=bidder,
            issuer=agency,
            data=challenge_data(),
            fields=[technical_field()],
            indicators=[indicator_data()],
        )


def test_only_a_draft_can_be_edited(published, editor):
    with pytest.raises(DomainError) as caught:
        services.challenge_update(challenge=published, actor=editor, data={"title": "New title"})
    assert caught.value.code == "not_editable"


def test_editing_a_draft_replaces_indicators_and_refreshes_search(draft, editor):
    services.challenge_update(
        challenge=draft,
        actor=editor,
        data={"title": "Quantum sensors 量子传感"},
        fields=[technical_field("quantum")],
        indicators=[indicator_data(name="Sensitivity")],
    )
    draft.refresh_from_db()
    assert draft.title == "Quantum sensors 量子传感"
    assert [i.name for i in draft.indicators.all()] == ["Sensitivity"]
    assert "量子传感" in draft.search_text and "量子信息" in draft.search_text


# Approval ---------------------------------------------------------------------------------------


def test_the_full_lifecycle_from_draft_to_bidding_closed(agency, editor, approver, bidder):
    challenge = make_challenge(issuer=agency, editor=editor)
    challenge = services.challenge_submit(challenge=challenge, actor=editor)
    assert challenge.status == Challenge.Status.PENDING_APPROVAL
    assert Notification.objects.filter(recipient=approver, verb="challenge.submitted").exists()

    challenge = services.challenge_approve(challenge=challenge, actor=approver)
    assert challenge.status == Challenge.Status.PUBLISHED
    assert challenge.approved_by == approver and challenge.published_at is not None
    assert selectors.visible_challenges(bidder).filter(pk=challenge.pk).exists()

    services.nda_sign(challenge=challenge, actor=bidder, organisation=bidder.memberships.get().organisation)
    close_deadline_now(challenge)
    assert services.close_due_bidding(timezone.now()) == 1
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.BIDDING_CLOSED and challenge.bidding_closed_at is not None
    assert list(AuditEvent.objects.filter(object_id=str(challenge.pk)).order_by("seq").values_list("action", flat=True)) == [
        "challenge.create",
        "challenge.submit",
        "challenge.approve",
        "challenge.close_bidding",
    ]


def test_the_submitter_cannot_approve_their_own_submission(agency, editor, approver):
    challenge = make_challenge(issuer=agency, editor=editor)
    services.challenge_submit(challenge=challenge, actor=approver)
    with pytest.raises(PermissionDenied):
        services.challenge_approve(challenge=challenge, actor=approver)
    with pytest.raises(PermissionDenied):
        services.challenge_return(challenge=challenge, actor=approver, comment="Fix it")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.PENDING_APPROVAL


def test_an_editor_cannot_approve(pending, editor):
    with pytest.raises(PermissionDenied):
        services.challenge_approve(challenge=pending, actor=editor)


def test_approving_a_draft_is_an_invalid_transition(draft, approver):
    with pytest.raises(InvalidTransition):
        services.challenge_approve(challenge=draft, actor=approver)


def test_a_challenge_whose_deadline_passed_cannot_be_approved(pending, approver):
    Challenge.objects.filter(pk=pending.pk).update(bidding_closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        services.challenge_approve(challenge=pending, actor=approver)
    assert caught.value.code == "late"


def test_returning_needs_a_comment_and_tells_the_submitter(pending, editor, approver):
    with pytest.raises(ValidationError):
        services.challenge_return(challenge=pending, actor=approver, comment="  ")
    challenge = services.challenge_return(challenge=pending, actor=approver, comment="Name the measuring lab.")
    assert challenge.status == Challenge.Status.DRAFT and challenge.return_comment == "Name the measuring lab."
    note = Notification.objects.get(recipient=editor, verb="challenge.returned")
    assert "Name the measuring lab." in note.body
    # Submitting again clears the comment.
    assert services.challenge_submit(challenge=challenge, actor=editor).return_comment == ""


def test_publication_is_announced_to_subscribers_of_its_fields(
    agency, editor, approver, bidder, rival, rival_org, bidder_org, django_capture_on_commit_callbacks
):
    services.subscription_set(organisation=bidder_org, actor=bidder, fields=[technical_field()])
    services.subscription_set(organisation=rival_org, actor=rival, fields=[technical_field("biomedicine")])
    challenge = make_challenge(issuer=agency, editor=editor, status="pending_approval")
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_approve(challenge=challenge, actor=approver)
    assert notified("challenge.published") == {bidder.pk: 1}


# Cancelling -------------------------------------------------------------------------------------


def test_cancelling_tells_nda_signers_and_askers_the_reason(published, approver, editor, bidder, rival, bidder_org):
    services.nda_sign(challenge=published, actor=bidder, organisation=bidder_org)
    services.question_ask(challenge=published, actor=rival, text="Is a 6-inch pilot line acceptable?")
    with pytest.raises(ValidationError):
        services.challenge_cancel(challenge=published, actor=approver, reason="")
    challenge = services.challenge_cancel(challenge=published, actor=approver, reason="The programme was merged.")
    assert challenge.status == Challenge.Status.CANCELLED and challenge.cancel_reason == "The programme was merged."
    counts = notified("challenge.cancelled")
    assert counts == {bidder.pk: 1, rival.pk: 1, editor.pk: 1, approver.pk: 1}
    assert "The programme was merged." in Notification.objects.get(recipient=bidder, verb="challenge.cancelled").body


def test_a_draft_cancelled_before_approval_never_becomes_public(draft, approver, editor, bidder):
    services.challenge_cancel(challenge=draft, actor=approver, reason="Not needed")
    draft.refresh_from_db()
    assert not draft.is_public
    assert not selectors.visible_challenges(bidder).filter(pk=draft.pk).exists()
    assert not Challenge.objects.public().filter(pk=draft.pk).exists()
    assert selectors.visible_challenges(editor).filter(pk=draft.pk).exists()


def test_a_published_challenge_stays_public_when_cancelled(published, approver, bidder):
    services.challenge_cancel(challenge=published, actor=approver, reason="Budget withdrawn")
    assert selectors.visible_challenges(bidder).filter(pk=published.pk, status="cancelled").exists()


def test_an_editor_cannot_cancel_but_an_operator_can(published, editor, operator):
    with pytest.raises(PermissionDenied):
        services.challenge_cancel(challenge=published, actor=editor, reason="No")
    assert services.challenge_cancel(challenge=published, actor=operator, reason="Fraud suspected").is_public


# The clock ----------------------------------------------------------------------------------


def test_the_periodic_task_closes_bidding_exactly_once(published, editor, approver, bidder, bidder_org):
    services.nda_sign(challenge=published, actor=bidder, organisation=bidder_org)
    close_deadline_now(published)

    first = advance_due_work.apply().get()
    second = advance_due_work.apply().get()

    assert first["challenges.close_bidding"] == 1
    assert second["challenges.close_bidding"] == 0
    published.refresh_from_db()
    assert published.status == Challenge.Status.BIDDING_CLOSED
    assert notified("challenge.bidding_closed") == {editor.pk: 1, approver.pk: 1, bidder.pk: 1}
    assert AuditEvent.objects.filter(action="challenge.close_bidding").count() == 1


def test_the_clock_leaves_open_challenges_alone(published):
    assert advance_due_work.apply().get()["challenges.close_bidding"] == 0
    published.refresh_from_db()
    assert published.status == Challenge.Status.PUBLISHED


# Amendments ---------------------------------------------------------------------------------


def test_an_amendment_can_extend_the_deadline_and_tells_the_audience(published, editor, bidder, bidder_org):
    services.nda_sign(challenge=published, actor=bidder, organisation=bidder_org)
    later = published.bidding_closes_at + timedelta(days=14)
    amendment = services.challenge_amend(
        challenge=published, actor=editor, reason="More time for testing", changes={"bidding_closes_at": later}
    )
    published.refresh_from_db()
    assert published.bidding_closes_at == later
    assert amendment.number == 1 and set(amendment.changes) == {"bidding_closes_at"}
    assert notified("challenge.amended") == {bidder.pk: 1}


def test_an_amendment_cannot_shorten_the_deadline(published, editor):
    earlier = published.bidding_closes_at - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.challenge_amend(challenge=published, actor=editor, reason="Hurry", changes={"bidding_closes_at": earlier})
    assert "bidding_closes_at" in caught.value.message_dict
    assert not published.amendments.exists()


def test_money_cannot_be_amended_after_publication(published, editor):
    with pytest.raises(ValidationError) as caught:
        services.challenge_amend(challenge=published, actor=editor, reason="More", changes={"government_funding": Decimal("1")})
    assert "changes" in caught.value.message_dict


def test_a_draft_cannot_be_amended(draft, editor):
    with pytest.raises(DomainError):
        services.challenge_amend(challenge=draft, actor=editor, reason="x", changes={"summary": "New"})


def test_an_amended_confidential_text_is_hidden_from_the_public_history(published, editor):
    amendment = services.challenge_amend(
        challenge=published, actor=editor, reason="Updated yields", changes={"confidential_details": "Yield: 71%"}
    )
    public = amendment.changes_for(confidential=False)
    assert public["confidential_details"] == {"before": None, "after": None, "hidden": True}
    assert amendment.changes_for(confidential=True)["confidential_details"]["after"] == "Yield: 71%"


# Questions and NDAs -----------------------------------------------------------------------------


def test_a_question_is_answered_once_and_the_audience_is_told(published, editor, bidder, rival):
    question = services.question_ask(challenge=published, actor=rival, text="Which test standard?")
    assert Notification.objects.filter(recipient=editor, verb="question.asked").exists()
    services.question_answer(question=question, actor=editor, answer="GB/T 31351.")
    assert notified("question.answered") == {rival.pk: 1}
    with pytest.raises(DomainError):
        services.question_answer(question=question, actor=editor, answer="Again")


def test_issuer_staff_cannot_ask_and_applicants_cannot_answer(published, editor, bidder):
    with pytest.raises(PermissionDenied):
        services.question_ask(challenge=published, actor=editor, text="Self-serving question")
    question = services.question_ask(challenge=published, actor=bidder, text="Real question")
    with pytest.raises(PermissionDenied):
        services.question_answer(question=question, actor=bidder, answer="I answer myself")


def test_signing_the_nda_twice_keeps_one_signature_with_the_text_hash(published, bidder, bidder_member, bidder_org):
    first = services.nda_sign(challenge=published, actor=bidder, organisation=bidder_org)
    second = services.nda_sign(challenge=published, actor=bidder_member, organisation=bidder_org)
    assert first.pk == second.pk and first.signed_by == bidder
    assert len(first.text_sha256) == 64 and first.nda_version == published.nda_version
    assert NdaSignature.objects.count() == 1
    assert bidder_member.has_perm("challenges.view_confidential", Challenge.objects.get(pk=published.pk))


def test_nobody_signs_for_an_organisation_they_do_not_belong_to(published, bidder, rival_org):
    with pytest.raises(PermissionDenied):
        services.nda_sign(challenge=published, actor=bidder, organisation=rival_org)


# Files and subscriptions --------------------------------------------------------------------------


def test_a_real_pdf_is_attached_and_a_fake_one_is_refused_on_the_file_field(draft, editor):
    attachment = services.attachment_add(
        challenge=draft, actor=editor, upload=SimpleUploadedFile("spec.pdf", PDF), confidential=True
    )
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF) and attachment.confidential
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            challenge=draft, actor=editor, upload=SimpleUploadedFile("spec.pdf", b"just text"), confidential=False
        )
    assert list(caught.value.message_dict) == ["file"]


def test_files_are_added_only_to_drafts(published, editor):
    with pytest.raises(DomainError):
        services.attachment_add(challenge=published, actor=editor, upload=SimpleUploadedFile("a.pdf", PDF), confidential=False)


def test_subscriptions_are_replaced_by_the_new_list(bidder, bidder_org):
    services.subscription_set(organisation=bidder_org, actor=bidder, fields=[technical_field(), technical_field("quantum")])
    services.subscription_set(organisation=bidder_org, actor=bidder, fields=[technical_field("quantum")])
    assert list(FieldSubscription.objects.values_list("field__code", flat=True)) == ["quantum"]


def test_an_agency_cannot_subscribe(agency, editor):
    with pytest.raises(PermissionDenied):
        services.subscription_set(organisation=agency, actor=editor, fields=[technical_field()])

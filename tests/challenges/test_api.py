"""The challenges REST API as clients use it: lifecycle, reading, searching, errors, files."""

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges import services
from challenges.models import Challenge, FieldSubscription
from core.models import Notification
from core.opaque import encode
from core.tasks import advance_due_work
from tests.factories import OrganisationFactory, challenge_data, indicator_data, make_challenge, technical_field

pytestmark = pytest.mark.django_db

LIST = "/api/v1/challenges/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(challenge, action: str = "") -> str:
    return f"/api/v1/challenges/{challenge.pk}/{action}"


def create_body(issuer, **overrides) -> dict:
    """A JSON body for POST /challenges/, as a client would send it."""
    data = challenge_data()
    body = {
        **{k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()},
        "bidding_opens_at": data["bidding_opens_at"].isoformat(),
        "bidding_closes_at": data["bidding_closes_at"].isoformat(),
        "issuer": encode(issuer.pk),
        "fields": ["integrated-circuits"],
        "indicators": [{k: str(v) for k, v in indicator_data().items()}],
    }
    body.update(overrides)
    return body


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def pdf(name: str = "spec.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# The lifecycle through the API ----------------------------------------------------------------


def test_the_full_lifecycle_through_the_api(api, agency, editor, approver, bidder, bidder_org):
    created = api.as_user(editor).post(LIST, create_body(agency), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["issuer"] == {"id": encode(agency.pk), "name": agency.name}
    challenge = Challenge.objects.get(pk=body["id"])

    assert api.post(url(challenge, "submit")).json()["status"] == "pending_approval"
    assert api.as_user(approver).post(url(challenge, "approve")).json()["status"] == "published"
    assert api.as_user(None).get(url(challenge)).status_code == 200

    assert api.as_user(bidder).post(url(challenge, "nda"), {}, format="json").status_code == 201
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))
    assert advance_due_work.apply().get()["challenges.close_bidding"] == 1
    assert api.get(url(challenge)).json()["status"] == "bidding_closed"
    assert Notification.objects.filter(recipient=bidder, verb="challenge.bidding_closed").count() == 1


def test_an_approver_returns_a_draft_with_a_comment(api, pending, approver, editor):
    response = api.as_user(approver).post(url(pending, "return"), {"comment": "Add the test lab."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["return_comment"] == "Add the test lab."
    again = api.post(url(pending, "return"), {"comment": "Once more."}, format="json")
    assert again.status_code == 409  # a draft cannot be returned


def test_returning_without_a_comment_names_the_field(api, pending, approver):
    response = api.as_user(approver).post(url(pending, "return"), {"comment": ""}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["fields"]


def test_cancelling_with_a_reason_notifies_nda_signers_and_askers(api, published, approver, bidder, rival):
    api.as_user(bidder).post(url(published, "nda"), {}, format="json")
    api.as_user(rival).post(url(published, "questions"), {"text": "Can a university lead?"}, format="json")
    response = api.as_user(approver).post(url(published, "cancel"), {"reason": "Merged into a national call."})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "Merged into a national call."
    for person in (bidder, rival):
        note = Notification.objects.get(recipient=person, verb="challenge.cancelled")
        assert "Merged into a national call." in note.body


def test_cancelling_without_a_reason_is_a_400(api, published, approver):
    response = api.as_user(approver).post(url(published, "cancel"), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]


def test_a_draft_is_edited_and_a_published_challenge_is_not(api, draft, published, editor):
    patched = api.as_user(editor).patch(
        url(draft), {"title": "Silicon carbide epitaxy 碳化硅外延", "fields": ["advanced-materials"]}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Silicon carbide epitaxy 碳化硅外延"
    assert [f["code"] for f in patched.json()["fields"]] == ["advanced-materials"]
    assert len(patched.json()["indicators"]) == 1  # untouched by a PATCH without indicators

    refused = api.patch(url(published), {"title": "Changed quietly"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_editable"


def test_put_replaces_the_whole_draft(api, draft, editor, agency):
    body = create_body(agency, title="Replaced", indicators=[{"name": "Yield", "unit": "%", "target_value": "95"}])
    del body["issuer"]
    response = api.as_user(editor).put(url(draft), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Replaced"
    assert [i["name"] for i in response.json()["indicators"]] == ["Yield"]


def test_an_unverified_agency_gets_a_409_with_the_reason(api, editor):
    from accounts.models import Membership
    from tests.factories import member

    pending_agency = OrganisationFactory(agency=True, pending=True)
    response = api.as_user(member(pending_agency, Membership.Role.EDITOR)).post(LIST, create_body(pending_agency), format="json")
    assert response.status_code == 409 and response.json()["code"] == "unverified"


def test_approving_twice_is_a_409_with_a_message(api, published, approver):
    response = api.as_user(approver).post(url(published, "approve"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition" and "published" in response.json()["detail"]


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"indicators": []}, "indicators"),
        ({"indicators": None}, "indicators"),
        ({"government_funding": "-100"}, "government_funding"),
        ({"cofunding_ratio": "-1"}, "cofunding_ratio"),
        ({"fields": ["no-such-field"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"title": ""}, "title"),
        ({"bidding_closes_at": "next week"}, "bidding_closes_at"),
        ({"indicators": [{"name": "Yield"}]}, "indicators.0.target_value"),
        ({"allowed_kinds": ["agency"]}, "allowed_kinds"),
        ({"funding_mode": "horse_race", "max_winners": 1}, "max_winners"),
    ],
)
def test_bad_input_gets_400_field_errors(api, agency, editor, overrides, field):
    body = create_body(agency, **overrides)
    response = api.as_user(editor).post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert set(error) == {"code", "detail", "fields"} and error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Challenge.objects.exists()


def test_missing_indicators_are_named(api, agency, editor):
    body = create_body(agency)
    del body["indicators"]
    response = api.as_user(editor).post(LIST, body, format="json")
    assert response.status_code == 400 and "indicators" in response.json()["fields"]


def test_closing_before_opening_is_a_field_error(api, agency, editor):
    now = timezone.now()
    body = create_body(agency, bidding_opens_at=now.isoformat(), bidding_closes_at=(now - timedelta(days=1)).isoformat())
    response = api.as_user(editor).post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["bidding_closes_at"] == ["Bidding must close after it opens."]


def test_malformed_json_is_a_400_in_the_error_format(api, agency, editor):
    response = api.as_user(editor).post(LIST, data='{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "fields"} and response.json()["code"] == "parse_error"


def test_a_list_instead_of_an_object_is_a_400(api, agency, editor):
    response = api.as_user(editor).post(LIST, data=json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# Reading one challenge --------------------------------------------------------------------------


def test_the_detail_shows_indicators_amendments_and_answered_questions_without_the_asker(api, published, editor, rival):
    question = services.question_ask(challenge=published, actor=rival, text="Which lab measures?")
    services.question_answer(question=question, actor=editor, answer="CNAS-accredited labs.")
    services.question_ask(challenge=published, actor=rival, text="Still open")
    services.challenge_amend(challenge=published, actor=editor, reason="Typo", changes={"summary": "Fixed summary"})

    body = api.as_user(None).get(url(published)).json()

    indicator = body["indicators"][0]
    assert indicator["name"] == "Micropipe density"
    assert Decimal(indicator["target_value"]) == Decimal("0.1")
    assert Decimal(indicator["domestic_level"]) == Decimal("1.0")
    assert Decimal(indicator["international_level"]) == Decimal("0.2")
    assert body["amendments"][0]["number"] == 1 and body["amendments"][0]["reason"] == "Typo"
    assert body["amendments"][0]["changes"]["summary"]["after"] == "Fixed summary"
    assert [q["text"] for q in body["questions"]] == ["Which lab measures?"]
    assert set(body["questions"][0]) == {"id", "text", "answer", "asked_at", "answered_at"}
    assert rival.full_name not in json.dumps(body) and rival.email not in json.dumps(body)


def test_the_public_sees_no_confidential_part_and_signers_do(api, published, editor, bidder, rival):
    challenge = published
    anonymous = api.as_user(None).get(url(challenge)).json()
    assert anonymous["confidential_details"] is None and anonymous["can_view_confidential"] is False
    assert anonymous["nda"]["signed"] is False and anonymous["nda"]["can_sign"] is False

    before = api.as_user(bidder).get(url(challenge)).json()
    assert before["confidential_details"] is None and before["nda"]["can_sign"] is True

    nda = api.get(url(challenge, "nda")).json()
    assert nda["text"] == challenge.nda_text and nda["version"] == 1 and nda["signed"] is False
    signed = api.post(url(challenge, "nda"), {}, format="json")
    assert signed.status_code == 201 and signed.json()["signed"] is True

    after = api.get(url(challenge)).json()
    assert after["confidential_details"] == "Line yields of the current supplier: 63%."
    assert after["nda"]["signed"] is True
    assert api.as_user(rival).get(url(challenge)).json()["confidential_details"] is None
    assert api.as_user(editor).get(url(challenge)).json()["confidential_details"] is not None


def test_signing_for_an_organisation_of_someone_else_is_refused(api, published, bidder, rival_org):
    response = api.as_user(bidder).post(url(published, "nda"), {"organisation": encode(rival_org.pk)}, format="json")
    assert response.status_code == 404
    assert not published.nda_signatures.exists()


def test_drafts_are_invisible_to_the_public_and_to_organisations(api, draft, pending, published, bidder, operator):
    for user in (None, bidder):
        api.as_user(user)
        assert api.get(url(draft)).status_code == 404
        assert api.get(url(pending)).status_code == 404
        assert titles(api.get(LIST)) == [published.title]
        assert titles(api.get(LIST, {"status": "draft"})) == []
    assert len(titles(api.as_user(operator).get(LIST))) == 3


def test_a_draft_cancelled_before_approval_stays_private(api, draft, approver, editor):
    assert api.as_user(approver).post(url(draft, "cancel"), {"reason": "Not needed"}).status_code == 200
    assert api.as_user(None).get(url(draft)).status_code == 404
    assert titles(api.get(LIST)) == []
    assert api.as_user(editor).get(url(draft)).json()["status"] == "cancelled"


def test_a_confidential_amendment_is_hidden_from_the_public_history(api, published, editor, bidder):
    services.challenge_amend(
        challenge=published, actor=editor, reason="New yields", changes={"confidential_details": "Yield: 71%"}
    )
    public = api.as_user(None).get(url(published, "amendments")).json()
    assert public[0]["reason"] == "New yields" and "71%" not in json.dumps(public)
    assert "71%" in json.dumps(api.as_user(editor).get(url(published, "amendments")).json())


# Amendments and questions -------------------------------------------------------------------------


def test_an_amendment_extends_the_deadline_and_shows_in_the_public_history(api, published, editor):
    later = published.bidding_closes_at + timedelta(days=10)
    response = api.as_user(editor).post(
        url(published, "amendments"),
        {"reason": "Holiday", "changes": {"bidding_closes_at": later.isoformat()}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 1
    history = api.as_user(None).get(url(published, "amendments")).json()
    assert history[0]["reason"] == "Holiday" and "bidding_closes_at" in history[0]["changes"]
    assert api.get(url(published)).json()["bidding_closes_at"] == later.astimezone(timezone.get_current_timezone()).isoformat()


def test_an_amendment_cannot_shorten_the_deadline(api, published, editor):
    earlier = published.bidding_closes_at - timedelta(days=1)
    response = api.as_user(editor).post(
        url(published, "amendments"),
        {"reason": "Hurry", "changes": {"bidding_closes_at": earlier.isoformat()}},
        format="json",
    )
    assert response.status_code == 400 and "bidding_closes_at" in response.json()["fields"]
    assert api.get(url(published, "amendments")).json() == []


def test_an_amendment_of_money_is_refused_by_name(api, published, editor):
    response = api.as_user(editor).post(
        url(published, "amendments"), {"reason": "More", "changes": {"government_funding": "1"}}, format="json"
    )
    assert response.status_code == 400
    assert "government_funding" in response.json()["fields"]["changes"][0]


def test_open_questions_are_for_the_issuer_and_the_asker_and_answers_are_public(api, published, editor, rival, bidder):
    asked = api.as_user(rival).post(url(published, "questions"), {"text": "Is 6-inch acceptable?"}, format="json")
    assert asked.status_code == 201
    qid = asked.json()["id"]
    assert [q["id"] for q in api.get(url(published, "questions")).json()] == [qid]
    assert api.as_user(bidder).get(url(published, "questions")).json() == []
    assert api.as_user(None).get(url(published, "questions")).json() == []
    assert [q["id"] for q in api.as_user(editor).get(url(published, "questions")).json()] == [qid]

    answered = api.post(url(published, f"questions/{qid}/answer"), {"answer": "Only 8-inch."}, format="json")
    assert answered.status_code == 200 and answered.json()["answer"] == "Only 8-inch."
    public = api.as_user(None).get(url(published, "questions")).json()
    assert public == [answered.json()]
    again = api.as_user(editor).post(url(published, f"questions/{qid}/answer"), {"answer": "x"}, format="json")
    assert again.status_code == 409


def test_an_empty_question_is_a_400(api, published, bidder):
    response = api.as_user(bidder).post(url(published, "questions"), {"text": "  "}, format="json")
    assert response.status_code == 400 and "text" in response.json()["fields"]


# The list: search, filters, ordering, queries -----------------------------------------------------


@pytest.fixture
def catalogue(agency, other_agency, editor, approver):
    """Four published challenges with distinct words, fields, money and deadlines."""
    from accounts.models import Membership
    from tests.factories import member

    other_editor = member(other_agency, Membership.Role.EDITOR)
    other_approver = member(other_agency, Membership.Role.APPROVER)
    now = timezone.now()

    def publish(issuer, ed, ap, title, field, funding, days):
        return make_challenge(
            issuer=issuer,
            editor=ed,
            approver=ap,
            status="published",
            title=title,
            summary=f"{title}: the summary.",
            fields=[technical_field(field)],
            government_funding=Decimal(funding),
            bidding_closes_at=now + timedelta(days=days),
        )

    return {
        "sic": publish(agency, editor, approver, "高纯碳化硅衬底 SiC substrates", "integrated-circuits", 20_000_000, 30),
        "eda": publish(agency, editor, approver, "EDA 工业软件 layout tools", "industrial-software", 5_000_000, 10),
        "battery": publish(
            other_agency, other_editor, other_approver, "固态电池 Solid-state battery", "new-energy", 8_000_000, 60
        ),
        "future": publish(
            other_agency, other_editor, other_approver, "碳化硅功率模块 SiC power modules", "new-energy", 1_000_000, 90
        ),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("碳化硅", {"sic", "future"}),
        ("SiC", {"sic", "future"}),
        ("sic substrates", {"sic"}),
        ("碳化硅 power", {"future"}),
        ("工业软件", {"eda"}),
        ("industrial software", {"eda"}),  # the field's English name
        ("新能源", {"battery", "future"}),  # the field's Chinese name
        ("battery 碳化硅", set()),
    ],
)
def test_search_finds_chinese_and_english_terms_and_combinations(api, catalogue, q, expected):
    found = set(titles(api.get(LIST, {"q": q})))
    assert found == {catalogue[k].title for k in expected}


def test_filters_narrow_the_list(api, catalogue, agency):
    c = catalogue
    assert set(titles(api.get(LIST, {"field": "new-energy"}))) == {c["battery"].title, c["future"].title}
    assert set(titles(api.get(LIST, {"issuer": encode(agency.pk)}))) == {c["sic"].title, c["eda"].title}
    assert set(titles(api.get(LIST, {"funding_min": 6_000_000}))) == {c["sic"].title, c["battery"].title}
    assert set(titles(api.get(LIST, {"funding_max": 5_000_000}))) == {c["eda"].title, c["future"].title}
    cutoff = (timezone.now() + timedelta(days=45)).isoformat()
    assert set(titles(api.get(LIST, {"closes_before": cutoff}))) == {c["sic"].title, c["eda"].title}
    assert set(titles(api.get(LIST, {"closes_after": cutoff}))) == {c["battery"].title, c["future"].title}
    assert set(titles(api.get(LIST, {"field": "new-energy", "q": "碳化硅"}))) == {c["future"].title}


def test_open_now_leaves_out_closed_and_not_yet_open_challenges(api, catalogue):
    Challenge.objects.filter(pk=catalogue["future"].pk).update(bidding_opens_at=timezone.now() + timedelta(days=2))
    Challenge.objects.filter(pk=catalogue["eda"].pk).update(status="bidding_closed")
    assert set(titles(api.get(LIST, {"open_now": "true"}))) == {catalogue["sic"].title, catalogue["battery"].title}
    assert set(titles(api.get(LIST, {"open_now": "false"}))) == {catalogue["future"].title, catalogue["eda"].title}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("deadline", ["eda", "sic", "battery", "future"]),
        ("-deadline", ["future", "battery", "sic", "eda"]),
        ("funding", ["future", "eda", "battery", "sic"]),
        ("-funding", ["sic", "battery", "eda", "future"]),
        ("-newest", ["sic", "eda", "battery", "future"]),
        ("newest", ["future", "battery", "eda", "sic"]),
    ],
)
def test_ordering_by_deadline_funding_and_newest(api, catalogue, ordering, expected):
    assert titles(api.get(LIST, {"ordering": ordering})) == [catalogue[k].title for k in expected]


def test_a_bad_filter_value_is_a_400(api, catalogue):
    response = api.get(LIST, {"funding_min": "lots", "ordering": "price"})
    assert response.status_code == 400 and {"funding_min", "ordering"} <= set(response.json()["fields"])


def test_mine_lists_every_challenge_of_my_agency_in_every_state(api, catalogue, agency, editor, approver, bidder):
    draft = make_challenge(issuer=agency, editor=editor, title="Still a draft")
    mine = set(titles(api.as_user(editor).get(LIST, {"mine": "1"})))
    assert mine == {catalogue["sic"].title, catalogue["eda"].title, draft.title}
    assert draft.title not in titles(api.as_user(bidder).get(LIST))
    assert titles(api.get(LIST, {"mine": "1"})) == []
    assert titles(api.as_user(None).get(LIST, {"mine": "1"})) == []


def test_the_list_is_paginated(api, catalogue):
    body = api.get(LIST, {"page_size": 3, "ordering": "deadline"}).json()
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"]


def _bulk_publish(count: int, *, issuer, user, start: int = 0) -> None:
    now = timezone.now()
    rows = [
        Challenge(
            issuer=issuer,
            created_by=user,
            title=f"Bulk challenge {n}",
            chokepoint="A chokepoint.",
            summary="A summary.",
            government_funding=Decimal(1_000_000 + n),
            bidding_opens_at=now - timedelta(days=1),
            bidding_closes_at=now + timedelta(days=1 + n),
            status=Challenge.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n),
            search_text=f"bulk challenge {n}",
        )
        for n in range(start, start + count)
    ]
    Challenge.objects.bulk_create(rows)
    through = Challenge.fields.through
    ic, quantum = technical_field(), technical_field("quantum")
    through.objects.bulk_create(
        [through(challenge_id=row.pk, technicalfield_id=field.pk) for row in rows for field in (ic, quantum)]
    )


def _queries(api, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(LIST, params)
    assert response.status_code == 200
    return len(captured)


# Count, page and field names; logged in, also the session, the user and their memberships.
@pytest.mark.parametrize(("who", "most"), [("anonymous", 3), ("bidder", 6), ("editor", 6)])
def test_the_list_uses_a_constant_number_of_queries(api, agency, editor, bidder, who, most, django_assert_max_num_queries):
    user = {"anonymous": None, "bidder": bidder, "editor": editor}[who]
    api.as_user(user)
    params = {"page_size": 100, **({"mine": "1"} if who == "editor" else {})}
    _bulk_publish(1, issuer=agency, user=editor)
    api.get(LIST, params)  # warm up caches (content types, sessions)
    with django_assert_max_num_queries(most):
        one = _queries(api, params)

    _bulk_publish(199, issuer=agency, user=editor, start=1)
    with django_assert_max_num_queries(one):
        response = api.get(LIST, params)
    assert response.json()["count"] == 200 and len(response.json()["results"]) == 100
    assert len(response.json()["results"][0]["fields"]) == 2
    assert _queries(api, {**params, "q": "bulk", "field": "quantum", "ordering": "-funding"}) <= one + 1


# Files --------------------------------------------------------------------------------------------


@pytest.fixture
def with_files(agency, editor, approver, api):
    """A published challenge with a public and a confidential PDF, uploaded while it was a draft."""
    challenge = make_challenge(issuer=agency, editor=editor)
    api.as_user(editor)
    public = api.post(url(challenge, "attachments"), {"file": pdf("public.pdf")}, format="multipart")
    secret = api.post(url(challenge, "attachments"), {"file": pdf("secret.pdf"), "confidential": "true"}, format="multipart")
    assert public.status_code == secret.status_code == 201, (public.content, secret.content)
    services.challenge_submit(challenge=challenge, actor=editor)
    services.challenge_approve(challenge=challenge, actor=approver)
    api.as_user(None)
    return challenge, public.json(), secret.json()


def _download(api, attachment: dict):
    response = api.get(attachment["download_url"])
    # Reading the stream to its end closes the file (the test client closes it then).
    content = b"".join(response.streaming_content) if response.status_code == 200 else None
    return response, content


def test_a_real_pdf_is_accepted_and_described(with_files):
    challenge, public, secret = with_files
    assert public["name"] == "public.pdf" and public["content_type"] == "application/pdf"
    assert public["size"] == len(PDF) and public["confidential"] is False
    assert secret["confidential"] is True


def test_a_pdf_that_is_really_text_is_refused_on_the_file_field(api, draft, editor):
    response = api.as_user(editor).post(
        url(draft, "attachments"), {"file": pdf("spec.pdf", b"Just some text, not a PDF.")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["file"] == [
        "This type of file is not accepted. Upload a PDF, an Office document, an image or a zip archive."
    ]
    assert not draft.attachments.exists()


def test_a_file_too_large_is_refused_on_the_file_field(api, draft, editor, settings):
    settings.UPLOAD_MAX_BYTES = 10
    response = api.as_user(editor).post(url(draft, "attachments"), {"file": pdf()}, format="multipart")
    assert response.status_code == 400 and "at most" in response.json()["fields"]["file"][0]


def test_files_cannot_be_added_after_publication(api, published, editor):
    response = api.as_user(editor).post(url(published, "attachments"), {"file": pdf()}, format="multipart")
    assert response.status_code == 409


def test_the_public_lists_and_downloads_only_public_files(api, with_files):
    challenge, public, secret = with_files
    listed = api.as_user(None).get(url(challenge, "attachments")).json()
    assert [a["name"] for a in listed] == ["public.pdf"]
    assert [a["name"] for a in api.get(url(challenge)).json()["attachments"]] == ["public.pdf"]
    response, content = _download(api, public)
    assert response.status_code == 200 and content == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _download(api, secret)[0].status_code == 404


def test_a_confidential_file_is_for_signers_only(api, with_files, bidder, rival):
    challenge, public, secret = with_files
    api.as_user(bidder)
    assert _download(api, secret)[0].status_code == 404
    api.post(url(challenge, "nda"), {}, format="json")
    response, content = _download(api, secret)
    assert response.status_code == 200 and content == PDF
    assert [a["name"] for a in api.get(url(challenge, "attachments")).json()] == ["public.pdf", "secret.pdf"]
    assert _download(api.as_user(rival), secret)[0].status_code == 404


def test_a_download_answers_whatever_the_client_accepts(api, with_files):
    challenge, public, secret = with_files
    response = api.as_user(None).get(public["download_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_files_of_a_draft_are_invisible_outside_the_agency(api, draft, editor, bidder):
    uploaded = api.as_user(editor).post(url(draft, "attachments"), {"file": pdf()}, format="multipart").json()
    assert _download(api, uploaded)[0].status_code == 200
    assert _download(api.as_user(bidder), uploaded)[0].status_code == 404
    assert _download(api.as_user(None), uploaded)[0].status_code == 404


def test_an_unknown_file_is_a_404(api):
    assert api.get(f"/api/v1/challenge-attachments/{encode(999999)}/download").status_code == 404


# Taxonomy and subscriptions -----------------------------------------------------------------------


def test_the_taxonomy_is_public(api):
    response = api.as_user(None).get("/api/v1/fields/")
    assert response.status_code == 200
    first = response.json()[0]
    assert first == {
        "code": "integrated-circuits",
        "name_zh": "集成电路",
        "name_en": "Integrated circuits",
        "name": "Integrated circuits",
    }


def test_an_organisation_sets_and_reads_its_subscriptions(api, bidder, bidder_org):
    api.as_user(bidder)
    assert api.get("/api/v1/subscriptions/").json() == {"organisation": encode(bidder_org.pk), "fields": []}
    response = api.put("/api/v1/subscriptions/", {"fields": ["quantum", "biomedicine"]}, format="json")
    assert response.status_code == 200
    assert {f["code"] for f in response.json()["fields"]} == {"quantum", "biomedicine"}
    api.post("/api/v1/subscriptions/", {"fields": ["quantum"]}, format="json")
    assert [f["code"] for f in api.get("/api/v1/subscriptions/").json()["fields"]] == ["quantum"]
    assert list(FieldSubscription.objects.values_list("organisation_id", flat=True)) == [bidder_org.pk]


def test_subscribing_to_an_unknown_field_is_a_400(api, bidder):
    response = api.as_user(bidder).put("/api/v1/subscriptions/", {"fields": ["astrology"]}, format="json")
    assert response.status_code == 400 and "fields" in response.json()["fields"]


def test_a_member_of_two_organisations_chooses_which_one(api, bidder, bidder_org):
    from accounts.models import Membership
    from tests.factories import MembershipFactory

    lab = OrganisationFactory(name="Second Lab", kind="institute")
    MembershipFactory(user=bidder, organisation=lab, role=Membership.Role.ADMIN)
    api.as_user(bidder).put("/api/v1/subscriptions/", {"fields": ["quantum"], "organisation": encode(lab.pk)}, format="json")
    assert api.get("/api/v1/subscriptions/", {"organisation": encode(lab.pk)}).json()["fields"][0]["code"] == "quantum"
    assert api.get("/api/v1/subscriptions/").json() == {"organisation": encode(bidder_org.pk), "fields": []}
    assert api.get("/api/v1/subscriptions/", {"organisation": "abc"}).status_code == 400


def test_each_person_is_notified_once_when_bidding_closes(api, published, editor, approver, bidder, bidder_member):
    api.as_user(bidder).post(url(published, "nda"), {}, format="json")
    api.as_user(bidder_member).post(url(published, "questions"), {"text": "Q?"}, format="json")
    Challenge.objects.filter(pk=published.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))
    advance_due_work.apply()
    advance_due_work.apply()
    counts = Counter(Notification.objects.filter(verb="challenge.bidding_closed").values_list("recipient_id", flat=True))
    assert counts == {editor.pk: 1, approver.pk: 1, bidder.pk: 1, bidder_member.pk: 1}

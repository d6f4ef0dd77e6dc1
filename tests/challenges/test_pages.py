"""The challenge web pages: who sees what, who may do what, and forms that keep what was typed."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from challenges import services
from challenges.models import Amendment, Challenge, FieldSubscription, Question
from tests.factories import challenge_data, indicator_data, make_challenge, technical_field

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SECRET = "Line yields of the current supplier: 63%."


def upload(name: str = "spec.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def detail_url(challenge) -> str:
    return reverse("frontend:challenge_detail", args=[challenge.pk])


def action_url(name: str, challenge) -> str:
    return reverse(f"frontend:challenge_{name}", args=[challenge.pk])


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def draft_form(**overrides) -> dict:
    """What a browser posts from the draft form: one filled indicator row and one blank row."""
    data = challenge_data()
    post = {
        **{k: str(v) for k, v in data.items() if k not in {"bidding_opens_at", "bidding_closes_at"}},
        "bidding_opens_at": local(data["bidding_opens_at"]),
        "bidding_closes_at": local(data["bidding_closes_at"]),
        "fields": [technical_field().pk],
        "funding_mode": "single",
        "max_winners": "1",
        "consortium_allowed": "on",
        "max_partners": "4",
        "bids_per_organisation": "1",
        "execution_months": "36",
        "publicity_days": "5",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "30",
        "indicators-1-comparison": "gte",
        "indicators-1-is_main": "on",
    }
    for key, value in indicator_data().items():
        post[f"indicators-0-{key}"] = str(value)
    post["indicators-0-is_main"] = "on"
    post.update(overrides)
    return post


def without_indicator(post: dict) -> dict:
    return {k: v for k, v in post.items() if not k.startswith("indicators-0-")} | {
        "indicators-0-comparison": "gte",
        "indicators-0-is_main": "on",
    }


def published_copies(template: Challenge, count: int) -> None:
    """Many published challenges fast, sharing the template's field."""
    copies = Challenge.objects.bulk_create(
        Challenge(
            issuer_id=template.issuer_id,
            title=f"Copy {n}",
            chokepoint="c",
            summary="s",
            government_funding=Decimal(1000000 + n),
            bidding_opens_at=template.bidding_opens_at,
            bidding_closes_at=template.bidding_closes_at,
            status=Challenge.Status.PUBLISHED,
            published_at=timezone.now(),
            created_by_id=template.created_by_id,
            search_text=f"copy {n}",
        )
        for n in range(count)
    )
    through = Challenge.fields.through
    through.objects.bulk_create(through(challenge_id=c.pk, technicalfield_id=technical_field().pk) for c in copies)


# The public list -----------------------------------------------------------------------------------


def test_the_list_shows_published_challenges_to_anyone_but_never_drafts(client, published, agency, editor):
    hidden = make_challenge(issuer=agency, editor=editor, title="Secret draft")
    html = client.get(reverse("frontend:challenge_list")).content.decode()
    assert published.title in html and hidden.title not in html
    assert "Science Bureau" in html and "Integrated circuits" in html
    assert "CNY 20,000,000" in html
    deadline = timezone.localtime(published.bidding_closes_at).replace(microsecond=0).isoformat()
    assert f'class="countdown" data-deadline="{deadline}"' in html


def test_search_filters_and_sort_narrow_the_list(client, published, agency, editor, approver):
    other = make_challenge(
        issuer=agency,
        editor=editor,
        approver=approver,
        status="published",
        title="Quantum sensors 量子传感",
        government_funding=Decimal("500000"),
        fields=[technical_field("quantum")],
    )
    url = reverse("frontend:challenge_list")
    assert other.title not in client.get(url, {"q": "碳化硅"}).content.decode()
    assert published.title not in client.get(url, {"q": "量子"}).content.decode()
    by_field = client.get(url, {"field": "quantum"}).content.decode()
    assert other.title in by_field and published.title not in by_field
    rich = client.get(url, {"funding_min": "1000000"}).content.decode()
    assert published.title in rich and other.title not in rich
    cheap_first = client.get(url, {"ordering": "funding"}).content.decode()
    assert cheap_first.index(other.title) < cheap_first.index(published.title)
    open_now = client.get(url, {"open_now": "on"}).content.decode()
    assert published.title in open_now
    assert re.search(r'<input type="checkbox" name="open_now"[^>]* checked>', open_now)  # the filter stays ticked


def test_the_list_pages_by_twenty_and_keeps_the_query(client, published):
    published_copies(published, 25)
    page = client.get(reverse("frontend:challenge_list"), {"q": "copy"}).content.decode()
    assert "25 challenges" in page
    assert "?q=copy&page=2" in page
    second = client.get(reverse("frontend:challenge_list"), {"q": "copy", "page": 2})
    assert second.content.decode().count('class="card mb-3"') == 5


@pytest.mark.parametrize("count", [1, 200])
def test_the_list_takes_the_same_queries_for_1_or_200_challenges(client, published, bidder, count, django_assert_max_num_queries):
    published_copies(published, count - 1)
    client.force_login(bidder)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("frontend:challenge_list"), {"field": "integrated-circuits"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"field": ["integrated-circuits", "new-energy"], "status": ["published", "awarded"], "issuer": "AGENCY"},
        {"field": "no-such-field", "issuer": "999999", "status": "draft", "funding_min": "abc"},
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_filter_options_are_written_as_djangos_own_widgets_would(agency, query, language):
    """The list writes its filter options in Python for speed (bench/README.md): the markup must
    stay Django's, byte for byte, checked, selected, invalid and translated alike."""
    from django import forms
    from django.http import QueryDict

    from frontend.challenge_forms import ChallengeFilterForm, PublicChallengeFilter

    data = QueryDict(mutable=True)
    for key, value in query.items():
        value = [str(agency.pk) if v == "AGENCY" else v for v in (value if isinstance(value, list) else [value])]
        data.setlist(key, value)
    names = ["field", "status", "issuer"]
    template = Template("".join(f'{{% include "frontend/challenges/_field.html" with field=form.{n} %}}' for n in names))
    with translation.override(language):
        fast = PublicChallengeFilter(data or None, queryset=Challenge.objects.all()).form
        stock = PublicChallengeFilter(data or None, queryset=Challenge.objects.all()).form
        assert isinstance(fast, ChallengeFilterForm)
        for form in (fast, stock):
            form.is_valid()  # errors mark the widgets invalid
        for name, kind in (
            ("field", forms.CheckboxSelectMultiple),
            ("status", forms.CheckboxSelectMultiple),
            ("issuer", forms.Select),
        ):
            plain = stock.fields[name].widget
            assert type(plain).__name__ == kind.__name__ and type(plain) is not kind
            stock.fields[name].widget = kind(attrs=plain.attrs, choices=plain.choices)
        expected = template.render(Context({"form": stock}))
        assert template.render(Context({"form": fast})) == expected
    assert expected.count('type="checkbox"') == 14 + 9  # every field and public state
    if query:
        assert "checked" in expected or "is-invalid" in expected


# The detail page -------------------------------------------------------------------------------------


def test_the_detail_shows_the_public_parts_to_anyone(client, published):
    html = client.get(detail_url(published)).content.decode()
    assert published.title in html and published.summary in html and published.chokepoint in html
    assert "Micropipe density" in html
    # Domestic, international and target side by side, with unit and comparison.
    assert "1 /cm²" in html and "0.2 /cm²" in html and "≤ 0.1 /cm²" in html
    assert 'class="countdown"' in html
    assert published.nda_text in html and SECRET not in html
    assert "Approve" not in html and "Submit for approval" not in html


@pytest.mark.parametrize("who", [None, "bidder", "other_agency_editor"])
def test_a_draft_is_not_found_for_anyone_outside_the_agency(client, draft, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize("who", ["editor", "approver", "operator"])
def test_a_draft_is_shown_to_its_agency_and_operators(client, draft, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail_url(draft))
    assert response.status_code == 200 and SECRET in response.content.decode()


def test_buttons_follow_permission_and_state(client, draft, editor, approver):
    client.force_login(editor)
    html = client.get(detail_url(draft)).content.decode()
    assert "Submit for approval" in html and "Edit the draft" in html and "Approve and publish" not in html
    services.challenge_submit(challenge=draft, actor=editor)
    client.force_login(approver)
    html = client.get(detail_url(draft)).content.decode()
    assert "Approve and publish" in html and "Return with comment" in html and "Submit for approval" not in html


def test_the_detail_takes_the_same_queries_however_much_it_shows(client, agency, editor, approver, bidder):
    small = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    big = make_challenge(issuer=agency, editor=editor, indicators=[indicator_data(name=f"I{n}") for n in range(8)])
    for n in range(3):
        services.attachment_add(challenge=big, actor=editor, upload=upload(f"f{n}.pdf"), confidential=n == 0)
    services.challenge_submit(challenge=big, actor=editor)
    big = services.challenge_approve(challenge=big, actor=approver)
    for n in range(3):
        question = services.question_ask(challenge=big, actor=bidder, text=f"Question {n}?")
        services.question_answer(question=question, actor=editor, answer="Yes.")
        services.question_ask(challenge=big, actor=bidder, text=f"Open question {n}?")
        big.refresh_from_db()
        services.challenge_amend(
            challenge=big,
            actor=editor,
            reason=f"Extension {n}",
            changes={"bidding_closes_at": big.bidding_closes_at + timedelta(days=1)},
        )
    for user in (editor, bidder):
        client.force_login(user)
        with CaptureQueriesContext(connection) as few:
            assert client.get(detail_url(small)).status_code == 200
        with CaptureQueriesContext(connection) as many:
            assert client.get(detail_url(big)).status_code == 200
        assert len(many) == len(few), user


# Confidential details and the NDA ---------------------------------------------------------------------


def test_confidential_details_appear_only_after_signing_the_nda(client, published, bidder, bidder_org, rival):
    client.force_login(bidder)
    before = client.get(detail_url(published)).content.decode()
    assert SECRET not in before and "Sign the NDA" in before
    response = client.post(action_url("nda_sign", published), {"organisation": bidder_org.pk, "agree": "on"})
    assert response.status_code == 302
    after = client.get(detail_url(published)).content.decode()
    assert SECRET in after and "Sign the NDA" not in after
    client.force_login(rival)
    assert SECRET not in client.get(detail_url(published)).content.decode()


def test_signing_without_agreeing_keeps_the_form_with_an_error(client, published, bidder, bidder_org):
    client.force_login(bidder)
    response = client.post(action_url("nda_sign", published), {"organisation": bidder_org.pk})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not published.nda_signatures.exists()


def test_agency_staff_cannot_sign_an_nda(client, published, editor):
    client.force_login(editor)
    assert client.post(action_url("nda_sign", published), {"agree": "on"}).status_code == 403


def test_confidential_files_download_only_for_signers(client, agency, editor, approver, bidder, bidder_org):
    challenge = make_challenge(issuer=agency, editor=editor)
    public = services.attachment_add(challenge=challenge, actor=editor, upload=upload("public.pdf"), confidential=False)
    secret = services.attachment_add(challenge=challenge, actor=editor, upload=upload("yields.pdf"), confidential=True)
    download = reverse("frontend:attachment_download", args=[secret.pk])
    assert client.get(reverse("frontend:attachment_download", args=[public.pk])).status_code == 404  # still a draft
    services.challenge_submit(challenge=challenge, actor=editor)
    challenge = services.challenge_approve(challenge=challenge, actor=approver)
    public_response = client.get(reverse("frontend:attachment_download", args=[public.pk]))
    assert public_response.status_code == 200 and b"".join(public_response.streaming_content) == PDF
    assert "attachment" in public_response["Content-Disposition"]
    assert "yields.pdf" not in client.get(detail_url(challenge)).content.decode()
    assert client.get(download).status_code == 404
    client.force_login(bidder)
    assert client.get(download).status_code == 404
    services.nda_sign(challenge=challenge, actor=bidder, organisation=bidder_org)
    assert "yields.pdf" in client.get(detail_url(challenge)).content.decode()
    assert client.get(download).status_code == 200


# Drafting -------------------------------------------------------------------------------------------


def test_write_pages_send_anonymous_visitors_to_log_in(client, draft, published):
    for url in [
        reverse("frontend:challenge_create"),
        action_url("edit", draft),
        action_url("amend", published),
        reverse("frontend:agency_challenges"),
        reverse("frontend:subscriptions"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    response = client.post(action_url("approve", draft))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["bidder", "reviewer"])
def test_only_agency_staff_may_open_the_draft_form(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("frontend:challenge_create")).status_code == 403


def test_an_editor_drafts_a_challenge_with_the_form(client, editor, agency):
    client.force_login(editor)
    page = client.get(reverse("frontend:challenge_create")).content.decode()
    assert 'type="datetime-local"' in page and 'name="indicators-0-name"' in page
    assert 'name="issuer"' not in page and "Science Bureau" in page  # one agency: nothing to choose
    post = draft_form(allowed_kinds=["enterprise", "university"], allowed_sizes=["small"])
    post |= {"indicators-1-name": "Wafer diameter", "indicators-1-target_value": "200", "indicators-1-unit": "mm"}
    response = client.post(reverse("frontend:challenge_create"), post)
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert response["Location"] == detail_url(challenge)
    assert challenge.status == "draft" and challenge.issuer == agency and challenge.created_by == editor
    assert challenge.allowed_kinds == ["enterprise", "university"] and challenge.allowed_sizes == ["small"]
    assert [(i.name, i.comparison) for i in challenge.indicators.all()] == [
        ("Micropipe density", "lte"),
        ("Wafer diameter", "gte"),
    ]
    assert [f.code for f in challenge.fields.all()] == ["integrated-circuits"]


def test_an_editor_of_two_agencies_chooses_the_issuer(client, editor, agency, other_agency):
    Membership.objects.create(user=editor, organisation=other_agency, role=Membership.Role.EDITOR)
    client.force_login(editor)
    assert 'name="issuer"' in client.get(reverse("frontend:challenge_create")).content.decode()
    assert client.post(reverse("frontend:challenge_create"), draft_form(issuer=other_agency.pk)).status_code == 302
    assert Challenge.objects.get().issuer == other_agency


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (without_indicator, None, "Add at least one measurable indicator."),
        (lambda p: p | {"bidding_closes_at": p["bidding_opens_at"]}, "bidding_closes_at", "close after it opens"),
        (lambda p: p | {"government_funding": "-5"}, "government_funding", "greater than or equal to 0.01"),
        (lambda p: p | {"cofunding_ratio": "-1"}, "cofunding_ratio", "greater than or equal to 0"),
        (lambda p: p | {"indicators-0-target_value": "lots"}, "indicators-0-target_value", "Enter a number"),
    ],
)
def test_a_draft_with_mistakes_comes_back_with_errors_next_to_the_fields(client, editor, change, field, message):
    client.force_login(editor)
    post = change(draft_form(title="My typed title 我的标题"))
    response = client.post(reverse("frontend:challenge_create"), post)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="My typed title 我的标题"' in html
    assert post["summary"] in html
    if field:
        assert f'id="id_{field}-error"' in html and 'aria-invalid="true"' in html
    assert not Challenge.objects.exists()


def test_the_draft_form_keeps_every_typed_indicator_row_on_error(client, editor):
    client.force_login(editor)
    post = draft_form(government_funding="-1") | {"indicators-1-name": "Second row kept", "indicators-1-unit": "mm"}
    html = client.post(reverse("frontend:challenge_create"), post).content.decode()
    assert 'value="Micropipe density"' in html and 'value="Second row kept"' in html


def test_editing_a_draft_replaces_its_indicators(client, draft, editor):
    client.force_login(editor)
    page = client.get(action_url("edit", draft)).content.decode()
    assert 'value="Micropipe density"' in page and 'value="0.1"' in page
    post = draft_form(title="Renamed") | {"indicators-INITIAL_FORMS": "1", "indicators-0-name": "Defect density"}
    assert client.post(action_url("edit", draft), post).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed" and [i.name for i in draft.indicators.all()] == ["Defect density"]


def test_removing_every_indicator_is_refused(client, draft, editor):
    client.force_login(editor)
    post = draft_form() | {"indicators-INITIAL_FORMS": "1", "indicators-0-DELETE": "on"}
    response = client.post(action_url("edit", draft), post)
    assert response.status_code == 400 and "Add at least one measurable indicator." in response.content.decode()
    assert draft.indicators.count() == 1


def test_another_agency_cannot_edit(client, draft, published, other_agency_editor, bidder):
    client.force_login(other_agency_editor)
    assert client.get(action_url("edit", draft)).status_code == 404
    assert client.post(action_url("edit", draft), draft_form()).status_code == 404
    assert client.get(action_url("edit", published)).status_code == 403
    client.force_login(bidder)
    assert client.get(action_url("edit", published)).status_code == 403


def test_a_published_challenge_is_not_edited_but_amended(client, published, editor):
    client.force_login(editor)
    response = client.get(action_url("edit", published))
    assert response.status_code == 302 and response["Location"] == detail_url(published)


def test_a_rejected_file_shows_why_and_loses_nothing(client, draft, editor):
    client.force_login(editor)
    bad = SimpleUploadedFile("report.pdf", b"just text, not a pdf", content_type="application/pdf")
    response = client.post(action_url("attachment_add", draft), {"file": bad, "confidential": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This type of file is not accepted" in html
    assert 'name="confidential" class="form-check-input' in html and "checked" in html.split('name="confidential"')[1][:120]
    assert f'value="{draft.title}"' in html
    assert not draft.attachments.exists()
    assert client.post(action_url("attachment_add", draft), {"file": upload()}).status_code == 302
    assert draft.attachments.get().name == "spec.pdf"


# Approval ------------------------------------------------------------------------------------------


def test_an_editor_submits_and_an_approver_approves(client, draft, editor, approver):
    client.force_login(editor)
    assert client.post(action_url("submit", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "pending_approval"
    client.force_login(approver)
    assert client.post(action_url("approve", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_submitting_a_draft_twice_shows_the_reason_not_a_500(client, pending, editor):
    client.force_login(editor)
    response = client.post(action_url("submit", pending), HTTP_REFERER="http://testserver" + detail_url(pending))
    assert response.status_code == 302
    assert "Cannot submit" in client.get(detail_url(pending)).content.decode()


@pytest.mark.parametrize(("who", "status"), [("bidder", 404), ("other_agency_editor", 404), ("editor", 403)])
def test_only_an_approver_of_the_agency_may_approve(client, pending, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(action_url("approve", pending)).status_code == status
    pending.refresh_from_db()
    assert pending.status == "pending_approval"


def test_the_approver_who_submitted_cannot_approve(client, draft, approver):
    services.challenge_submit(challenge=draft, actor=approver)
    client.force_login(approver)
    html = client.get(detail_url(draft)).content.decode()
    assert "Approve and publish" not in html and "another approver" in html
    assert client.post(action_url("approve", draft)).status_code == 403
    assert client.post(action_url("return", draft), {"comment": "x"}).status_code == 403


def test_approval_needs_post(client, pending, approver):
    client.force_login(approver)
    assert client.get(action_url("approve", pending)).status_code == 405


def test_returning_needs_a_comment_and_the_comment_reaches_the_editor(client, pending, approver, editor):
    client.force_login(approver)
    response = client.post(action_url("return", pending), {"comment": "  "})
    assert response.status_code == 400 and 'id="id_comment-error"' in response.content.decode()
    assert client.post(action_url("return", pending), {"comment": "Add a second indicator."}).status_code == 302
    client.force_login(editor)
    assert "Add a second indicator." in client.get(detail_url(pending)).content.decode()


def test_cancelling_keeps_the_typed_reason_on_error_and_shows_it_publicly(client, published, approver, editor):
    client.force_login(editor)
    assert client.post(action_url("cancel", published), {"reason": "No money"}).status_code == 403
    client.force_login(approver)
    assert client.post(action_url("cancel", published), {"reason": "Budget withdrawn by the province"}).status_code == 302
    client.logout()
    assert "Budget withdrawn by the province" in client.get(detail_url(published)).content.decode()


# Amendments -----------------------------------------------------------------------------------------


def test_the_amendment_form_is_prefilled_and_sends_only_what_changed(client, published, editor, bidder):
    client.force_login(editor)
    page = client.get(action_url("amend", published)).content.decode()
    assert published.summary in page and f'value="{local(published.bidding_closes_at)}"' in page
    later = published.bidding_closes_at + timedelta(days=7)
    post = amend_form(published, reason="More time for consortia", bidding_closes_at=local(later))
    post["chokepoint"] = "Line one\r\nline two"
    published.chokepoint = "Line one\nline two"
    published.save()
    response = client.post(action_url("amend", published), post)
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert set(amendment.changes) == {"bidding_closes_at"}
    client.force_login(bidder)
    html = client.get(detail_url(published)).content.decode()
    assert "Amendment 1" in html and "More time for consortia" in html and "Bidding closes" in html
    assert timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in html


def amend_form(challenge, **changes) -> dict:
    """What the browser posts: every prefilled field, with the changes typed over them."""
    post = {name: getattr(challenge, name) for name in services.AMENDABLE_FIELDS}
    post["bidding_closes_at"] = local(challenge.bidding_closes_at)
    return post | changes


def test_an_amendment_never_shortens_the_deadline(client, published, editor):
    client.force_login(editor)
    earlier = local(published.bidding_closes_at - timedelta(days=3))
    response = client.post(action_url("amend", published), amend_form(published, reason="Hurry", bidding_closes_at=earlier))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_bidding_closes_at-error"' in html and "never shorten" in html
    assert "Hurry" in html and not Amendment.objects.exists()


def test_an_amendment_that_changes_nothing_says_so(client, published, editor):
    client.force_login(editor)
    response = client.post(action_url("amend", published), amend_form(published, reason="Nothing"))
    assert response.status_code == 400 and "Nothing changes." in response.content.decode()


def test_confidential_amendments_show_their_values_only_to_signers(client, published, editor, bidder, bidder_org):
    services.challenge_amend(
        challenge=published, actor=editor, reason="New yields", changes={"confidential_details": "Yields now 71%."}
    )
    client.force_login(bidder)
    html = client.get(detail_url(published)).content.decode()
    assert "New yields" in html and "71%" not in html and SECRET not in html
    services.nda_sign(challenge=published, actor=bidder, organisation=bidder_org)
    assert "71%" in client.get(detail_url(published)).content.decode()


@pytest.mark.parametrize("who", ["bidder", "other_agency_editor"])
def test_outsiders_cannot_amend(client, published, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(action_url("amend", published)).status_code == 403


# Questions -------------------------------------------------------------------------------------------


def test_a_question_is_answered_publicly_without_the_askers_identity(client, published, bidder, editor):
    client.force_login(bidder)
    assert client.post(action_url("question_ask", published), {"text": "Is 6-inch acceptable?"}).status_code == 302
    question = Question.objects.get()
    assert "Is 6-inch acceptable?" in client.get(detail_url(published)).content.decode()  # the asker sees it waiting
    client.force_login(editor)
    html = client.get(detail_url(published)).content.decode()
    assert "Questions waiting for an answer" in html and "Bidder" not in html
    url = reverse("frontend:challenge_question_answer", args=[published.pk, question.pk])
    empty = client.post(url, {f"q{question.pk}-answer": ""})
    assert empty.status_code == 400 and f'id="id_q{question.pk}-answer-error"' in empty.content.decode()
    assert client.post(url, {f"q{question.pk}-answer": "Only 8-inch."}).status_code == 302
    client.logout()
    html = client.get(detail_url(published)).content.decode()
    assert "Is 6-inch acceptable?" in html and "Only 8-inch." in html
    assert "Bidder" not in html


def test_agency_staff_cannot_ask_and_applicants_cannot_answer(client, published, editor, bidder):
    client.force_login(editor)
    assert client.post(action_url("question_ask", published), {"text": "?"}).status_code == 403
    question = services.question_ask(challenge=published, actor=bidder, text="Why?")
    client.force_login(bidder)
    url = reverse("frontend:challenge_question_answer", args=[published.pk, question.pk])
    assert client.post(url, {f"q{question.pk}-answer": "Because."}).status_code == 403


# Agency and applicant pages ------------------------------------------------------------------------------


def test_my_challenges_lists_the_agencys_challenges_by_state(client, draft, published, editor, other_agency_editor):
    client.force_login(editor)
    html = client.get(reverse("frontend:agency_challenges")).content.decode()
    assert draft.title in html and "Draft" in html and "Published" in html
    only_drafts = client.get(reverse("frontend:agency_challenges"), {"status": "published"}).content.decode()
    assert only_drafts.count(detail_url(published)) == 1 and action_url("edit", draft) not in only_drafts
    client.force_login(other_agency_editor)
    assert draft.title not in client.get(reverse("frontend:agency_challenges")).content.decode()


def test_my_challenges_is_for_agency_staff_only(client, bidder):
    client.force_login(bidder)
    assert client.get(reverse("frontend:agency_challenges")).status_code == 403


def test_an_applicant_subscribes_to_fields(client, bidder, bidder_org):
    client.force_login(bidder)
    url = reverse("frontend:subscriptions")
    assert client.get(url).status_code == 200
    quantum = technical_field("quantum")
    response = client.post(url, {"organisation": bidder_org.pk, "fields": [quantum.pk]})
    assert response.status_code == 302
    assert list(FieldSubscription.objects.values_list("organisation_id", "field_id")) == [(bidder_org.pk, quantum.pk)]
    assert "checked" in client.get(url).content.decode().split(f'value="{quantum.pk}"')[1].split(">")[0]


def test_subscriptions_are_for_applicants_only(client, editor, bidder, rival_org):
    client.force_login(editor)
    assert client.get(reverse("frontend:subscriptions")).status_code == 403
    client.force_login(bidder)
    response = client.post(reverse("frontend:subscriptions"), {"organisation": rival_org.pk, "fields": []})
    assert response.status_code == 404
    assert not FieldSubscription.objects.exists()


# Navigation and formatting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        (None, ["Challenges"], ["My challenges", "Subscriptions"]),
        ("editor", ["Challenges", "My challenges"], ["Subscriptions"]),
        ("bidder", ["Challenges", "Subscriptions"], ["My challenges"]),
    ],
)
def test_navigation_links_follow_roles(client, who, shown, hidden, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    nav = client.get(reverse("frontend:challenge_list")).content.decode().split("</nav>")[0]
    assert all(f">{label}</a>" in nav for label in shown)
    assert not any(f">{label}</a>" in nav for label in hidden)


def test_the_public_home_links_to_the_list(client):
    assert reverse("frontend:challenge_list") in client.get("/").content.decode().split("<main")[1]


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("zh-hans", "20000000", "2,000万元"),
        ("zh-hans", "12345678.90", "1,234.57万元"),
        ("zh-hans", "5000", "5,000元"),
        ("en", "20000000", "CNY 20,000,000"),
        ("en", "1234.50", "CNY 1,234.5"),
    ],
)
def test_money_reads_in_the_readers_convention(language, amount, shown):
    with translation.override(language):
        html = Template("{% load challenge_format %}{{ amount|yuan }}").render(Context({"amount": Decimal(amount)}))
    assert html == shown


def test_an_applicant_sees_the_apply_button_and_the_agency_the_bids_link_after_close(
    client, published, bidder, editor, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from challenges.models import Challenge
    from challenges.services import close_due_bidding

    client.force_login(bidder)
    page = client.get(f"/challenges/{published.pk}/").content.decode()
    assert f"/challenges/{published.pk}/bids/new/" in page
    client.force_login(editor)
    assert f'/challenges/{published.pk}/bids/"' not in client.get(f"/challenges/{published.pk}/").content.decode()
    Challenge.objects.filter(pk=published.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    page = client.get(f"/challenges/{published.pk}/").content.decode()
    assert f'/challenges/{published.pk}/bids/"' in page
    assert "/bids/new/" not in page


def test_my_challenges_counts_draft_and_submitted_bids(client, published, editor, bidder, bidder_org, rival, rival_org):
    from tests.factories import make_bid

    make_bid(challenge=published, lead=bidder_org, actor=bidder, submit=True)
    make_bid(challenge=published, lead=rival_org, actor=rival, complete=False)
    client.force_login(editor)
    html = client.get("/agency/challenges/").content.decode()
    row = html[html.index(published.title) :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">")[-1] for c in row.split("</td>") if "text-end" in c and "data-label" in c]
    assert cells == ["1", "1"]  # one draft bid, one submitted

"""Bad input everywhere: a catalogue of attacks × endpoints.

Each attack must get a clear 4xx (API: the {"code","detail","fields"} body; pages: a form error), never
a 500, and must leave what is stored unchanged. Text that is accepted is stored verbatim and shown escaped.
"""

import json
import os
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisation, User
from awards.models import Evidence, Objection
from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeAttachment, Question
from frontend.bid_forms import BudgetForm
from reviews import services as review_services
from reviews.models import Assignment, Score
from submissions.models import BidAttachment
from tests.awards.conftest import final_award, proposed, ranked  # noqa: F401  (fixtures)
from tests.factories import credit_code, indicator_data, make_bid, make_challenge
from tests.reviews.conftest import closed_challenge, experts  # noqa: F401  (fixtures)
from tests.reviews.test_workflow import start

from .bad_input_helpers import ELF, EXE, HTML, PDF, SVG, assert_error_body, form_data, snapshot, stored_files, upload, zip_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(agency, editor, approver):
    return make_challenge(issuer=agency, editor=editor, approver=approver, status="published")


@pytest.fixture
def draft(agency, editor):
    return make_challenge(issuer=agency, editor=editor, title="Original draft title")


@pytest.fixture
def bid(published, bidder_org, bidder):
    return make_bid(challenge=published, lead=bidder_org, actor=bidder, title="Original bid title")


# 1. Bodies that are not the JSON object the API expects ---------------------------------------------------

# Where a JSON body goes: (url, method, who, the row that must not change, the text field to aim at).
JSON_TARGETS = {
    "challenge-update": lambda f: (
        reverse("challenges:challenge-detail", args=[f["draft"].pk]),
        "patch",
        f["editor"],
        f["draft"],
        "title",
    ),
    "bid-update": lambda f: (reverse("submissions:bid-detail", args=[f["bid"].pk]), "patch", f["bidder"], f["bid"], "title"),
    "question-ask": lambda f: (
        reverse("challenges:challenge-questions", args=[f["published"].pk]),
        "post",
        f["bidder"],
        f["published"],
        "text",
    ),
}

JSON = "application/json"
DEEP = 100_000

# (attack, body for a text field named {f}, content type, accepted statuses)
JSON_ATTACKS = [
    ("malformed", lambda f: b'{"%s": "x",' % f, JSON, {400}),
    ("trailing-garbage", lambda f: b'{"%s": "x"} and more' % f, JSON, {400}),
    ("single-quotes", lambda f: b"{'%s': 'x'}" % f, JSON, {400}),
    ("list", lambda f: b'[{"%s": "x"}]' % f, JSON, {400}),
    ("number", lambda f: b"42", JSON, {400}),
    ("string", lambda f: b'"%s"' % f, JSON, {400}),
    ("null", lambda f: b"null", JSON, {400}),
    ("nan-literal", lambda f: b'{"%s": NaN}' % f, JSON, {400}),
    ("deeply-nested", lambda f: b'{"%s": ' % f + b"[" * DEEP + b"]" * DEEP + b"}", JSON, {400}),
    ("deeply-nested-objects", lambda f: b'{"%s": ' % f + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}", JSON, {400}),
    ("text-field-as-object", lambda f: b'{"%s": {"$ne": null}}' % f, JSON, {400}),
    ("text-field-as-list", lambda f: b'{"%s": ["x", "y"]}' % f, JSON, {400}),
    ("invalid-utf8", lambda f: b'{"%s": "\xff\xfe\xc3\x28 bad"}' % f, JSON, {400}),
    ("overlong-utf8", lambda f: b'{"%s": "\xc0\xaf"}' % f, JSON, {400}),
    ("lone-surrogate", lambda f: b'{"%s": "x \\ud800 y"}' % f, JSON, {400}),
    ("nul-byte", lambda f: b'{"%s": "a\\u0000b"}' % f, JSON, {400}),
    ("charset-lies-utf16", lambda f: b'{"%s": "x"}' % f, JSON + "; charset=utf-16", {400, 415}),
    ("charset-unknown", lambda f: b'{"%s": "x"}' % f, JSON + "; charset=klingon-8", {400, 415}),
    ("text-plain", lambda f: b'{"%s": "x"}' % f, "text/plain", {415}),
    ("xml", lambda f: b"<title>x</title>", "application/xml", {415}),
]


def _fixtures(request, *names):
    return {name: request.getfixturevalue(name) for name in names}


def _send(api, method, url, body: bytes, content_type: str):
    return api.generic(method.upper(), url, body, content_type=content_type or None)


def _question_count():
    return Question.objects.count()


# One test per endpoint, every attack in turn: a refused request changes nothing, so they share one world.
@pytest.mark.parametrize("target", list(JSON_TARGETS))
def test_json_body_attacks_are_refused_and_change_nothing(request, api, target):
    f = _fixtures(request, "draft", "bid", "published", "editor", "bidder")
    url, method, user, row, field = JSON_TARGETS[target](f)
    before, questions = snapshot(row), _question_count()
    api.as_user(user)
    for attack, body, content_type, statuses in JSON_ATTACKS:
        response = _send(api, method, url, body(field.encode()), content_type)
        assert response.status_code in statuses, (attack, response.status_code, response.content[:200])
        assert_error_body(response, *statuses)
        assert snapshot(row) == before, attack
        assert _question_count() == questions, attack


@pytest.mark.parametrize("target", list(JSON_TARGETS))
def test_a_body_without_content_type_is_never_read(request, api, target):
    f = _fixtures(request, "draft", "bid", "published", "editor", "bidder")
    url, method, user, row, field = JSON_TARGETS[target](f)
    before, questions = snapshot(row), _question_count()
    response = _send(api.as_user(user), method, url, b'{"%s": "Sent without a type"}' % field.encode(), "")
    # A partial update with nothing in it is a no-op; a create is missing its text.
    assert response.status_code in {200, 400, 415}
    assert snapshot(row) == before
    assert _question_count() == questions


@pytest.mark.parametrize("target", list(JSON_TARGETS))
def test_oversized_json_body_is_refused_with_413(request, api, target):
    f = _fixtures(request, "draft", "bid", "published", "editor", "bidder")
    url, method, user, row, field = JSON_TARGETS[target](f)
    before, questions = snapshot(row), _question_count()
    body = json.dumps({field: "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()
    response = _send(api.as_user(user), method, url, body, JSON)
    body = assert_error_body(response, 413)
    assert body["code"] == "too_large"
    assert snapshot(row) == before
    assert _question_count() == questions


@pytest.mark.parametrize("target", list(JSON_TARGETS))
@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_form_body_on_a_json_endpoint_is_refused_with_415(request, api, target, form):
    f = _fixtures(request, "draft", "bid", "published", "editor", "bidder")
    url, method, user, row, field = JSON_TARGETS[target](f)
    before, questions = snapshot(row), _question_count()
    client = api.as_user(user)
    if form == "multipart":
        response = getattr(client, method)(url, data={field: "Changed by a form"}, format="multipart")
    else:
        response = getattr(client, method)(
            url, data=f"{field}=Changed+by+a+form", content_type="application/x-www-form-urlencoded"
        )
    assert_error_body(response, 415)
    assert snapshot(row) == before
    assert _question_count() == questions


# 2. Files ---------------------------------------------------------------------------------------------------

# An upload endpoint: how to post one file there, who may, and which rows a refusal must not create.
# Each entry: (api?, url, user fixture, form data without the file, file field name, rows to count).
UPLOAD_TARGETS = {
    "challenge-attachment-api": (
        True,
        lambda f: reverse("challenges:challenge-attachments", args=[f["draft"].pk]),
        "editor",
        {"confidential": "false"},
        "file",
    ),
    "bid-attachment-api": (
        True,
        lambda f: reverse("submissions:attachment-upload", args=[f["bid"].pk]),
        "bidder",
        {"description": "Test report"},
        "file",
    ),
    "objection-evidence-api": (
        True,
        lambda f: reverse("awards:award-objections", args=[f["proposed"].pk]),
        "rival",
        {"real_name": "Li Lei", "contact": "li@example.cn", "grounds": "The test report is forged."},
        "files",
    ),
    "challenge-attachment-page": (
        False,
        lambda f: reverse("frontend:challenge_attachment_add", args=[f["draft"].pk]),
        "editor",
        {},
        "file",
    ),
    "bid-attachment-page": (
        False,
        lambda f: reverse("frontend:bid_section", args=[f["bid"].pk, "files"]),
        "bidder",
        {"file-description": "Test report"},
        "file-file",
    ),
    "objection-evidence-page": (
        False,
        lambda f: reverse("frontend:objection_file", args=[f["proposed"].pk]),
        "rival",
        {"real_name": "Li Lei", "contact": "li@example.cn", "grounds": "The test report is forged."},
        "files",
    ),
}


def _stored_rows() -> dict:
    return {
        "challenge": ChallengeAttachment.objects.count(),
        "bid": BidAttachment.objects.count(),
        "objection": Objection.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def _latest_upload(target: str):
    if target.startswith("challenge"):
        return ChallengeAttachment.objects.latest("pk")
    if target.startswith("bid"):
        return BidAttachment.objects.latest("pk")
    return Evidence.objects.latest("pk")


@pytest.fixture
def post_file(request, client, api):
    """post_file(target, name, content, content_type) -> response; fixtures are built only when asked for."""

    def post(target, name, content, content_type="application/pdf", extra=None):
        is_api, url, who, data, field = UPLOAD_TARGETS[target]
        needed = {"proposed"} if target.startswith("objection") else {"draft"} if "challenge" in target else {"bid"}
        f = _fixtures(request, *needed)
        user = request.getfixturevalue(who)
        data = {**data, field: upload(name, content, content_type), **(extra or {})}
        if is_api:
            return api.as_user(user).post(url(f), data=data, format="multipart")
        client.force_login(user)
        return client.post(url(f), data=data)

    return post


def _assert_refused(target, response, before_rows, before_files, message=None):
    if UPLOAD_TARGETS[target][0]:
        body = assert_error_body(response, 400, 413)
        if message:
            assert message in json.dumps(body, ensure_ascii=False), body
    else:
        assert response.status_code in {400, 413}, response.status_code
        if message and response.status_code == 400:
            assert escape(message) in response.content.decode()
    assert _stored_rows() == before_rows
    assert stored_files(settings.MEDIA_ROOT) == before_files


# (attack, file name, content, the Content-Type the client claims, words the refusal contains)
REFUSED_FILES = [
    ("exe-renamed-pdf", "report.pdf", EXE, "application/pdf", "not accepted"),
    ("elf-renamed-pdf", "report.pdf", ELF, "application/pdf", "not accepted"),
    ("html-renamed-pdf", "report.pdf", HTML, "application/pdf", "not accepted"),
    ("svg-renamed-png", "logo.png", SVG, "image/png", "not accepted"),
    ("pdf-named-exe", "setup.exe", PDF, "application/pdf", "does not match"),
    ("pdf-named-html", "index.html", PDF, "text/html", "does not match"),
    ("double-extension", "report.pdf.exe", PDF, "application/pdf", "does not match"),
    ("zip-bomb-renamed-pdf", "report.pdf", zip_bomb(), "application/pdf", "does not match"),
    ("empty-file", "empty.pdf", b"", "application/pdf", None),
    ("nothing-but-a-name", "../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "text/plain", "not accepted"),
]


# One test per upload endpoint, every lying file in turn: a refusal stores nothing, so they share one world.
@pytest.mark.parametrize("target", list(UPLOAD_TARGETS))
def test_files_that_lie_or_are_empty_are_refused(post_file, target):
    before_rows, before_files = _stored_rows(), stored_files(settings.MEDIA_ROOT)
    for attack, name, content, claimed, message in REFUSED_FILES:
        response = post_file(target, name, content, claimed)
        try:
            _assert_refused(target, response, before_rows, before_files, message)
        except AssertionError as failure:
            raise AssertionError(f"{attack}: {failure}") from failure


@pytest.mark.parametrize("target", list(UPLOAD_TARGETS))
def test_a_file_above_the_upload_limit_is_refused(settings, post_file, target):
    settings.UPLOAD_MAX_BYTES = 4096
    before_rows, before_files = _stored_rows(), stored_files(settings.MEDIA_ROOT)
    response = post_file(target, "big.pdf", PDF + b"0" * 8192)
    _assert_refused(target, response, before_rows, before_files, "at most")


@pytest.mark.parametrize("target", list(UPLOAD_TARGETS))
def test_a_huge_multipart_body_is_refused_before_it_is_read(settings, post_file, target):
    settings.UPLOAD_MAX_BYTES = 4096
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    before_rows, before_files = _stored_rows(), stored_files(settings.MEDIA_ROOT)
    response = post_file(target, "huge.pdf", PDF + b"0" * 64_000)
    assert response.status_code == 413
    if UPLOAD_TARGETS[target][0]:
        assert assert_error_body(response, 413)["code"] == "too_large"
    else:
        assert "too large" in response.content.decode()
    assert _stored_rows() == before_rows
    assert stored_files(settings.MEDIA_ROOT) == before_files


LONG = "长" * 40 + "a" * 400

# (attack, file name as sent, the name stored) -- the content is a real PDF each time.
SANITISED_NAMES = [
    ("path-traversal", "../../etc/passwd.pdf", "passwd.pdf"),
    ("deep-traversal", "../" * 30 + "boot.pdf", "boot.pdf"),
    ("absolute-path", "/etc/cron.d/job.pdf", "job.pdf"),
    ("windows-path", "..\\..\\Windows\\System32\\evil.pdf", "evil.pdf"),
    ("windows-drive", "C:\\Users\\Public\\plan.pdf", "plan.pdf"),
    ("hidden-file", ".htaccess.pdf", "htaccess.pdf"),
    ("nul-in-name", "report\x00.exe.pdf", "report.exe.pdf"),
    ("control-chars", "re\x1bpo\x7frt\t.pdf", "report.pdf"),
    ("rtl-override", "report\u202efdp.exe.pdf", "reportfdp.exe.pdf"),
    ("very-long-name", LONG + ".pdf", (LONG)[:146] + ".pdf"),
    ("unicode-name", "技术方案（最终版）— ①.pdf", "技术方案（最终版）— ①.pdf"),
    ("html-in-name", '"><img src=x onerror=alert(1)>.pdf', '"><img src=x onerror=alert(1)>.pdf'),
]


@pytest.mark.parametrize("target", list(UPLOAD_TARGETS))
@pytest.mark.parametrize(("attack", "sent", "stored"), SANITISED_NAMES, ids=[a[0] for a in SANITISED_NAMES])
def test_file_names_are_sanitised_and_files_stay_in_private_storage(post_file, target, attack, sent, stored):
    before_files = stored_files(settings.MEDIA_ROOT)
    response = post_file(target, sent, PDF, "application/x-msdownload")
    assert response.status_code in {201, 302}, response.content[:500]
    attachment = _latest_upload(target)
    assert attachment.name == stored
    # The bytes decide the type, not the client's claim; the storage name is opaque and private.
    assert attachment.content_type == "application/pdf"
    new_files = sorted(set(stored_files(settings.MEDIA_ROOT)) - set(before_files))
    assert new_files == [attachment.file.name]
    root = os.path.realpath(settings.MEDIA_ROOT)
    assert os.path.realpath(attachment.file.path).startswith(root + os.sep)
    assert re.fullmatch(r"[a-z]+/[0-9a-z-]+/[0-9a-f]{32}", attachment.file.name), attachment.file.name
    with attachment.file.open("rb") as stored_file:
        assert stored_file.read() == PDF


@pytest.mark.parametrize("target", [t for t in UPLOAD_TARGETS if t.endswith("-api")])
def test_a_zip_bomb_is_kept_as_the_opaque_archive_it_is(post_file, target):
    """Archives are accepted (bidders send zips) but never unpacked: what is stored is what was sent."""
    bomb = zip_bomb()
    response = post_file(target, "data.zip", bomb, "application/zip")
    assert response.status_code == 201, response.content[:500]
    attachment = _latest_upload(target)
    assert attachment.size == len(bomb) < 100_000
    assert attachment.file.size == len(bomb)


def test_more_evidence_files_than_allowed_are_refused(api, rival, proposed):  # noqa: F811
    before_rows, before_files = _stored_rows(), stored_files(settings.MEDIA_ROOT)
    data = {"real_name": "Li Lei", "contact": "li@example.cn", "grounds": "Forged report."}
    data["files"] = [upload(f"e{n}.pdf", PDF) for n in range(6)]
    response = api.as_user(rival).post(reverse("awards:award-objections", args=[proposed.pk]), data=data, format="multipart")
    assert_error_body(response, 400)
    assert _stored_rows() == before_rows
    assert stored_files(settings.MEDIA_ROOT) == before_files


def test_a_json_body_on_an_upload_endpoint_is_refused(api, editor, draft):
    before_rows = _stored_rows()
    url = reverse("challenges:challenge-attachments", args=[draft.pk])
    response = api.as_user(editor).post(url, data={"file": "../../etc/passwd"}, format="json")
    assert_error_body(response, 400, 415)
    assert _stored_rows() == before_rows


# 3. Injection: stored verbatim, shown escaped ---------------------------------------------------------------

PAYLOADS = [
    "'; DROP TABLE challenges_challenge; --",
    "%' OR 1=1 --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
]
PAYLOAD_IDS = ["sql-drop", "sql-like-or", "script-tag", "attribute-breakout", "javascript-url"]


def assert_shown_escaped(html: str, payload: str):
    """The page carries the payload as text: escaped, never as markup and never as a link target."""
    escaped = escape(payload)
    assert escaped in html, payload
    if escaped != payload:
        assert payload not in html, payload
    assert 'href="javascript:' not in html and "<img src=x" not in html and "<script>alert" not in html


def _assert_tables_intact():
    """The SQL fragments did nothing: the tables they name still answer."""
    assert Challenge.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_challenge_text_is_stored_verbatim_and_shown_escaped(api, client, editor, approver, draft, payload):
    url = reverse("challenges:challenge-detail", args=[draft.pk])
    indicator = {**indicator_data(name=payload, unit=payload[:20], measurement_method=payload), "target_value": "0.1"}
    indicator.update(domestic_level="1.0", international_level="0.2")
    body = {"title": payload, "summary": payload, "chokepoint": payload, "indicators": [indicator]}
    response = api.as_user(editor).patch(url, data=body, format="json")
    assert response.status_code == 200, response.content[:500]
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.chokepoint) == (payload, payload, payload)
    stored = draft.indicators.get()
    assert (stored.name, stored.measurement_method) == (payload, payload)
    # The API gives it back as data.
    data = api.as_user(editor).get(url).json()
    assert data["title"] == data["summary"] == data["indicators"][0]["name"] == payload

    challenge_services.challenge_submit(challenge=draft, actor=editor)
    challenge_services.challenge_approve(challenge=draft, actor=approver)
    _assert_tables_intact()
    for page in (reverse("frontend:challenge_detail", args=[draft.pk]), reverse("frontend:challenge_list"), "/"):
        response = client.get(page)
        assert response.status_code == 200
        if page != "/":
            assert_shown_escaped(response.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_search_with_injection_finds_only_the_literal_text(api, client, agency, editor, approver, payload):
    other = make_challenge(issuer=agency, editor=editor, approver=approver, status="published", title="Plain title")
    target = make_challenge(issuer=agency, editor=editor, approver=approver, status="published", title=f"Target {payload} end")
    response = api.as_user(None).get(reverse("challenges:challenge-list"), {"q": payload})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert str(target.pk) in ids and str(other.pk) not in ids
    page = client.get(reverse("frontend:challenge_list"), {"q": payload})
    assert page.status_code == 200
    html = page.content.decode()
    assert_shown_escaped(html, f"Target {payload} end")
    assert escape(other.title) not in html
    _assert_tables_intact()


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_questions_and_answers_are_stored_verbatim_and_shown_escaped(api, client, bidder, editor, published, payload):
    asked = api.as_user(bidder).post(
        reverse("challenges:challenge-questions", args=[published.pk]), data={"text": payload}, format="json"
    )
    assert asked.status_code == 201, asked.content[:500]
    question = Question.objects.get(challenge=published)
    assert question.text == payload
    answered = api.as_user(editor).post(
        reverse("challenges:question-answer", args=[published.pk, question.pk]), data={"answer": payload}, format="json"
    )
    assert answered.status_code in {200, 201}, answered.content[:500]
    question.refresh_from_db()
    assert question.answer == payload
    data = api.as_user(None).get(reverse("challenges:challenge-detail", args=[published.pk])).json()
    assert data["questions"][0]["text"] == data["questions"][0]["answer"] == payload
    page = client.get(reverse("frontend:challenge_detail", args=[published.pk]))
    assert page.status_code == 200
    assert_shown_escaped(page.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_bid_sections_are_stored_verbatim_and_shown_escaped(api, client, bidder, bid, payload):
    url = reverse("submissions:bid-detail", args=[bid.pk])
    body = {"title": payload, "technical_approach": payload, "team_description": payload, "prior_achievements": payload}
    response = api.as_user(bidder).patch(url, data=body, format="json")
    assert response.status_code == 200, response.content[:500]
    bid.refresh_from_db()
    assert (bid.title, bid.technical_approach, bid.team_description, bid.prior_achievements) == (payload,) * 4
    assert api.as_user(bidder).get(url).json()["technical_approach"] == payload
    client.force_login(bidder)
    for page in (reverse("frontend:bid_detail", args=[bid.pk]), reverse("frontend:bid_edit", args=[bid.pk])):
        response = client.get(page)
        assert response.status_code == 200
        assert_shown_escaped(response.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_objection_grounds_are_stored_verbatim_and_shown_escaped(api, client, rival, operator, proposed, payload):  # noqa: F811
    data = {"real_name": payload, "contact": payload[:100], "grounds": payload}
    response = api.as_user(rival).post(reverse("awards:award-objections", args=[proposed.pk]), data=data, format="json")
    assert response.status_code == 201, response.content[:500]
    objection = Objection.objects.get(award=proposed)
    assert (objection.real_name, objection.grounds) == (payload, payload)
    client.force_login(operator)
    page = client.get(reverse("frontend:award_detail", args=[proposed.pk]))
    assert page.status_code == 200
    assert_shown_escaped(page.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_review_comments_are_stored_verbatim_and_shown_escaped(request, api, client, django_capture_on_commit_callbacks, payload):
    request.getfixturevalue("experts")
    round = start(request.getfixturevalue("closed_challenge"), django_capture_on_commit_callbacks)
    assignment = Assignment.objects.filter(item__round=round).first()
    expert = assignment.expert.user
    review_services.assignment_accept(assignment=assignment, actor=expert)
    criteria = list(round.rubric.criteria.all())
    body = {"comment": payload, "scores": {str(c.pk): {"value": 7, "comment": payload} for c in criteria}}
    response = api.as_user(expert).put(reverse("reviews:review-draft", args=[assignment.pk]), data=body, format="json")
    assert response.status_code == 200, response.content[:500]
    assert set(Score.objects.filter(review__assignment=assignment).values_list("comment", flat=True)) == {payload}
    client.force_login(expert)
    page = client.get(reverse("frontend:assignment_detail", args=[assignment.pk]))
    assert page.status_code == 200
    assert_shown_escaped(page.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_organisation_and_person_names_are_stored_verbatim_and_shown_escaped(client, db, payload):
    signup = {
        "full_name": payload,
        "email": "newcomer@example.cn",
        "language": "en",
        "password1": "a-Long-passphrase-2026",
        "password2": "a-Long-passphrase-2026",
    }
    assert client.post(reverse("frontend:signup"), data=signup).status_code == 302
    user = User.objects.get(email="newcomer@example.cn")
    assert user.full_name == payload
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    client.force_login(user)
    organisation = {
        "name": payload,
        "kind": "enterprise",
        "credit_code": credit_code(),
        "size": "small",
        "address": payload,
        "website": "https://example.cn/",
    }
    response = client.post(reverse("frontend:organisation_register"), data=organisation)
    assert response.status_code == 302, response.content[:300]
    registered = Organisation.objects.get(credit_code=organisation["credit_code"])
    assert (registered.name, registered.address) == (payload, payload)
    for page in (reverse("frontend:profile"), reverse("frontend:organisation_detail", args=[registered.pk])):
        response = client.get(page)
        assert response.status_code == 200
        assert_shown_escaped(response.content.decode(), payload)


@pytest.mark.parametrize("website", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_a_script_url_is_refused_as_a_website(client, bidder, website):
    client.force_login(bidder)
    before = Organisation.objects.count()
    data = {"name": "Script Ltd", "kind": "enterprise", "credit_code": credit_code(), "size": "small", "website": website}
    response = client.post(reverse("frontend:organisation_register"), data=data)
    assert response.status_code in {200, 400}
    assert "is-invalid" in response.content.decode()
    assert Organisation.objects.count() == before


# 4. Money and dates -------------------------------------------------------------------------------------------

NOT_NUMBERS = [
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("minus-infinity", "-Infinity"),
    ("word", "lots"),
    ("thousands-separator", "1,000,000"),
    ("empty", ""),
    ("null", None),
    ("bool", True),
    ("list", [1]),
    ("object", {"amount": 1}),
    ("exponent-huge", "1e30"),
    ("float-huge", 1e30),
    ("too-many-digits", "9" * 40),
    ("hex", "0x10"),
]
MONEY_ATTACKS = [
    *NOT_NUMBERS,
    ("negative", "-1.00"),
    ("too-many-decimals", "100.123"),
]

# (target, field, value): each refused with a 400 naming the field, the row unchanged.
CHALLENGE_NUMBERS = [
    *[("government_funding", value) for _name, value in MONEY_ATTACKS],
    ("government_funding", "0"),
    ("cofunding_ratio", "-0.5"),
    ("cofunding_ratio", "NaN"),
    ("cofunding_ratio", "1e30"),
    ("max_winners", -1),
    ("max_winners", 0),
    ("max_winners", 10**12),
    ("max_winners", "1.5"),
    ("execution_months", -6),
    ("execution_months", 10**9),
    ("publicity_days", -1),
    ("publicity_days", 10**9),
]
BID_NUMBERS = [
    *[("requested_funding", value) for _name, value in MONEY_ATTACKS],
    *[("own_funding", value) for _name, value in MONEY_ATTACKS],
]

BAD_DATETIMES = [
    ("february-30", "2026-02-30T10:00:00+08:00"),
    ("month-13", "2026-13-01T10:00:00+08:00"),
    ("hour-25", "2026-12-01T25:00:00+08:00"),
    ("year-10000", "10000-01-01T00:00:00+08:00"),
    ("year-0", "0000-01-01T00:00:00Z"),
    ("words", "next tuesday"),
    ("slashes", "12/01/2026"),
    ("unix-seconds", 1796000000),
    ("empty", ""),
    ("null", None),
    ("bad-offset", "2026-12-01T10:00:00+25:00"),
    ("year-1-east-of-utc", "0001-01-01T00:00:00+08:00"),
    ("year-9999-west-of-utc", "9999-12-31T23:59:59-08:00"),
]


def _challenge_ids(rows):
    return [f"{field}={value!r}"[:60] for field, value in rows]


@pytest.mark.parametrize(("field", "value"), CHALLENGE_NUMBERS, ids=_challenge_ids(CHALLENGE_NUMBERS))
def test_challenge_numbers_out_of_range_are_refused(api, editor, draft, field, value):
    before = snapshot(draft)
    url = reverse("challenges:challenge-detail", args=[draft.pk])
    response = api.as_user(editor).patch(url, data={field: value}, format="json")
    body = assert_error_body(response, 400)
    assert field in body["fields"], body
    assert snapshot(draft) == before


@pytest.mark.parametrize(("field", "value"), BID_NUMBERS, ids=_challenge_ids(BID_NUMBERS))
def test_bid_money_out_of_range_is_refused(api, bidder, bid, field, value):
    before = snapshot(bid)
    response = api.as_user(bidder).patch(reverse("submissions:bid-detail", args=[bid.pk]), data={field: value}, format="json")
    body = assert_error_body(response, 400)
    assert any(name.startswith(field) for name in body["fields"]), body
    assert snapshot(bid) == before


# Rows inside a bid: (section, row with one bad value, the field the error names).
BID_ROWS = [
    ("budget_lines", {"category": "equipment", "government_amount": "-5", "own_amount": "1"}, "government_amount"),
    ("budget_lines", {"category": "equipment", "government_amount": "1e30", "own_amount": "1"}, "government_amount"),
    ("budget_lines", {"category": "equipment", "government_amount": "NaN", "own_amount": "1"}, "government_amount"),
    ("budget_lines", {"category": "equipment", "government_amount": "1", "own_amount": "-Infinity"}, "own_amount"),
    ("budget_lines", {"category": "'; DROP TABLE x; --", "government_amount": "1", "own_amount": "1"}, "category"),
    ("milestones", {"title": "M", "due_month": -1, "tranche_percent": "50"}, "due_month"),
    ("milestones", {"title": "M", "due_month": 10**9, "tranche_percent": "50"}, "due_month"),
    ("milestones", {"title": "M", "due_month": 6, "tranche_percent": "-10"}, "tranche_percent"),
    ("milestones", {"title": "M", "due_month": 6, "tranche_percent": "1000"}, "tranche_percent"),
    ("milestones", {"title": "M", "due_month": 6, "tranche_percent": "NaN"}, "tranche_percent"),
    ("commitments", {"indicator": 0, "value": "NaN"}, "value"),
    ("commitments", {"indicator": 0, "value": "Infinity"}, "value"),
    ("commitments", {"indicator": 0, "value": "1e300"}, "value"),
]


@pytest.mark.parametrize(("section", "row", "field"), BID_ROWS, ids=[f"{s}-{f}-{i}" for i, (s, _r, f) in enumerate(BID_ROWS)])
def test_bid_rows_with_bad_numbers_are_refused(api, bidder, bid, section, row, field):
    if section == "commitments":
        row = {**row, "indicator": bid.challenge.indicators.get().pk}
    counts = (bid.budget_lines.count(), bid.milestones.count(), bid.commitments.count())
    rows_before = (
        list(bid.budget_lines.values()),
        list(bid.milestones.values()),
        list(bid.commitments.values()),
    )
    response = api.as_user(bidder).patch(reverse("submissions:bid-detail", args=[bid.pk]), data={section: [row]}, format="json")
    body = assert_error_body(response, 400)
    # Row errors name the row and its field: "1. due_month: ...".
    assert any(field in name or any(field in m for m in messages) for name, messages in body["fields"].items()), body
    assert (bid.budget_lines.count(), bid.milestones.count(), bid.commitments.count()) == counts
    assert (list(bid.budget_lines.values()), list(bid.milestones.values()), list(bid.commitments.values())) == rows_before


@pytest.mark.parametrize("field", ["bidding_opens_at", "bidding_closes_at"])
@pytest.mark.parametrize(("attack", "value"), BAD_DATETIMES, ids=[a[0] for a in BAD_DATETIMES])
def test_challenge_dates_that_are_not_dates_are_refused(api, editor, draft, field, attack, value):
    before = snapshot(draft)
    url = reverse("challenges:challenge-detail", args=[draft.pk])
    response = api.as_user(editor).patch(url, data={field: value}, format="json")
    body = assert_error_body(response, 400)
    assert field in body["fields"], body
    assert snapshot(draft) == before


# Real dates in an order or a range the rules forbid: (opens, closes) relative to now, in days.
BAD_DEADLINES = [
    ("closes-before-opens", 10, 5),
    ("closes-when-opens", 10, 10),
    ("closes-in-the-past", -30, -1),
    ("far-past", -365 * 2000, -365 * 1999),
    ("far-future", 365 * 7000, 365 * 7001),
]


@pytest.mark.parametrize(("attack", "opens", "closes"), BAD_DEADLINES, ids=[a[0] for a in BAD_DEADLINES])
def test_challenge_deadlines_out_of_order_or_range_are_refused(api, editor, draft, attack, opens, closes):
    before = snapshot(draft)
    now = timezone.now()
    try:
        body = {
            "bidding_opens_at": (now + timedelta(days=opens)).isoformat(),
            "bidding_closes_at": (now + timedelta(days=closes)).isoformat(),
        }
    except OverflowError:
        pytest.fail("bad test data")
    response = api.as_user(editor).patch(reverse("challenges:challenge-detail", args=[draft.pk]), data=body, format="json")
    assert_error_body(response, 400)
    assert snapshot(draft) == before


def test_a_timezone_less_deadline_is_read_in_the_platform_time_zone(api, editor, draft):
    """Naive times are not refused (the pages' datetime-local inputs send them): they mean Beijing time."""
    closes = (timezone.localtime(timezone.now()) + timedelta(days=60)).replace(microsecond=0, tzinfo=None)
    response = api.as_user(editor).patch(
        reverse("challenges:challenge-detail", args=[draft.pk]), data={"bidding_closes_at": closes.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content[:500]
    draft.refresh_from_db()
    assert timezone.localtime(draft.bidding_closes_at, ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None) == closes


# The same numbers and dates typed into the pages: a form error (400), nothing saved.
PAGE_CHALLENGE_VALUES = [
    ("government_funding", "-1"),
    ("government_funding", "0"),
    ("government_funding", "1e30"),
    ("government_funding", "9" * 40),
    ("government_funding", "NaN"),
    ("government_funding", "Infinity"),
    ("government_funding", "100.123"),
    ("government_funding", "lots"),
    ("cofunding_ratio", "-1"),
    ("max_winners", "-1"),
    ("max_winners", "99999999999999999999"),
    ("execution_months", "0"),
    ("publicity_days", "1000000"),
    ("bidding_closes_at", "2026-02-30T10:00"),
    ("bidding_closes_at", "9999-99-99T99:99"),
    ("bidding_closes_at", "yesterday"),
    ("bidding_closes_at", "1900-01-01T00:00"),
    ("bidding_closes_at", "9000-01-01T00:00"),
    ("bidding_opens_at", "0001-01-01T00:00"),
]


@pytest.mark.parametrize(("field", "value"), PAGE_CHALLENGE_VALUES, ids=_challenge_ids(PAGE_CHALLENGE_VALUES))
def test_challenge_page_refuses_bad_money_and_dates(client, editor, draft, field, value):
    client.force_login(editor)
    url = reverse("frontend:challenge_edit", args=[draft.pk])
    shown = client.get(url)
    assert shown.status_code == 200
    data = form_data(shown.context["form"], shown.context["formset"])
    data[field] = value
    before, indicators = snapshot(draft), list(draft.indicators.values())
    response = client.post(url, data=data)
    assert response.status_code == 400, response.status_code
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert snapshot(draft) == before
    assert list(draft.indicators.values()) == indicators


PAGE_BUDGET_VALUES = [
    ("budget-requested_funding", "-1"),
    ("budget-requested_funding", "1e30"),
    ("budget-own_funding", "NaN"),
    ("budget-own_funding", "0.001"),
    ("lines-0-government_amount", "-100"),
    ("lines-0-government_amount", "Infinity"),
    ("lines-0-own_amount", "99999999999999999999"),
]


@pytest.mark.parametrize(("field", "value"), PAGE_BUDGET_VALUES, ids=_challenge_ids(PAGE_BUDGET_VALUES))
def test_bid_budget_page_refuses_bad_money(client, bidder, bid, field, value):
    client.force_login(bidder)
    form = BudgetForm.for_bid(bid)
    data = form_data(form, form.rows)
    data[field] = value
    before, lines = snapshot(bid), list(bid.budget_lines.values())
    response = client.post(reverse("frontend:bid_section", args=[bid.pk, "budget"]), data=data)
    assert response.status_code == 400, response.status_code
    assert "is-invalid" in response.content.decode()
    assert snapshot(bid) == before
    assert list(bid.budget_lines.values()) == lines


# 5. Query parameters ------------------------------------------------------------------------------------------

# (name, url name, who is asking: a fixture name or None for anonymous)
LISTS = [
    ("challenges-api", "challenges:challenge-list", None),
    ("my-challenges-api", "challenges:challenge-list", "editor"),
    ("bids-api", "submissions:bid-list", "bidder"),
    ("awards-api", "awards:award-list", None),
    ("transparency-api", "awards:transparency", None),
    ("notifications-api", "core:notification-list", "bidder"),
    ("organisations-api", "accounts:organisation-list", "bidder"),
    ("experts-api", "reviews:expert-list", "operator"),
    ("rounds-api", "reviews:round-list", "operator"),
    ("challenges-page", "frontend:challenge_list", None),
    ("agency-challenges-page", "frontend:agency_challenges", "editor"),
    ("my-bids-page", "frontend:my_bids", "bidder"),
    ("awards-page", "frontend:award_list", None),
    ("transparency-page", "frontend:transparency", None),
    ("notifications-page", "frontend:notifications", "bidder"),
    ("experts-page", "frontend:expert_list", "operator"),
    ("rounds-page", "frontend:round_list", "operator"),
]

QUERY_ATTACKS = [
    ("page-negative", {"page": "-1"}),
    ("page-zero", {"page": "0"}),
    ("page-word", {"page": "abc"}),
    ("page-huge", {"page": str(10**9)}),
    ("page-enormous", {"page": "9" * 400}),
    ("page-float", {"page": "1.5"}),
    ("page-size-negative", {"page_size": "-5"}),
    ("page-size-huge", {"page_size": str(10**9)}),
    ("page-size-word", {"page_size": "all"}),
    ("q-huge", {"q": "碳化硅 " * 3000}),
    ("q-nul", {"q": "a\x00b"}),
    ("q-sql", {"q": "%' OR 1=1 --"}),
    ("q-like-wildcards", {"q": "%%%___\\"}),
    ("q-script", {"q": "<script>alert(1)</script>"}),
    ("search-nul", {"search": "\x00"}),
    ("ordering-unknown", {"ordering": "no_such_field"}),
    ("ordering-private", {"ordering": "-created_by__password"}),
    ("ordering-many", {"ordering": ",".join(["deadline"] * 500)}),
    ("status-unknown", {"status": "hacked"}),
    ("challenge-not-uuid", {"challenge": "1 OR 1=1"}),
    ("field-unknown", {"field": "no-such-field"}),
    ("issuer-word", {"issuer": "abc"}),
    ("funding-word", {"funding_min": "lots"}),
    ("funding-nan", {"funding_min": "NaN"}),
    ("funding-huge", {"funding_max": "1e400"}),
    ("date-invalid", {"closes_after": "2026-02-30T00:00:00"}),
    ("date-year-1", {"closes_before": "0001-01-01T00:00:00+08:00"}),
    ("bool-word", {"open_now": "perhaps", "mine": "perhaps", "available": "perhaps"}),
    ("repeated", {"page": ["1", "2"], "status": ["a", "b"]}),
    ("nul-key", {"\x00": "x"}),
]


def _query_problem(response, where: str) -> str | None:
    """What is wrong with the answer to a bad query, or None when it is a clear 4xx or a sane page."""
    if response.status_code not in {200, 400, 404}:
        return f"status {response.status_code}: {response.content[:200]!r}"
    if where.endswith("-api"):
        if response.status_code == 200:
            return None if isinstance(response.json(), dict | list) else "200 without a JSON document"
        assert_error_body(response, 400, 404)
        return None
    return "an unescaped script" if "<script>alert(1)</script>" in response.content.decode() else None


# One test per list, every attack in turn: the requests only read, so they share one world.
@pytest.mark.parametrize(("where", "url_name", "who"), LISTS, ids=[row[0] for row in LISTS])
def test_bad_query_parameters_get_a_4xx_or_a_sane_page(request, client, api, published, where, url_name, who):
    user = request.getfixturevalue(who) if who else None
    url = reverse(url_name)
    if user is not None:
        client.force_login(user)
    problems = {}
    for attack, params in QUERY_ATTACKS:
        response = api.as_user(user).get(url, params) if where.endswith("-api") else client.get(url, params)
        problem = _query_problem(response, where)
        if problem:
            problems[attack] = problem
    assert problems == {}


def test_a_huge_page_number_is_a_404_not_a_crash(api, published):
    response = api.as_user(None).get(reverse("challenges:challenge-list"), {"page": str(10**9)})
    assert assert_error_body(response, 404)["code"] == "not_found"


# Contracts: the milestone plan, extensions and terminations (award fixtures from tests/awards).
CONTRACT_ROWS = [
    ("due-in-the-past", {"due_date": "2001-01-01"}),
    ("due-far-future", {"due_date": "9999-12-31"}),
    ("due-february-30", {"due_date": "2027-02-30"}),
    ("due-with-time", {"due_date": "2027-01-01T10:00:00"}),
    ("due-words", {"due_date": "end of year"}),
    ("amount-negative", {"tranche_amount": "-1"}),
    ("amount-nan", {"tranche_amount": "NaN"}),
    ("amount-infinity", {"tranche_amount": "Infinity"}),
    ("amount-huge", {"tranche_amount": "1e30"}),
    ("amount-decimals", {"tranche_amount": "1.001"}),
    ("keep-best-negative", {"keep_best": -1}),
    ("keep-best-huge", {"keep_best": 10**12}),
]


@pytest.mark.parametrize(("attack", "change"), CONTRACT_ROWS, ids=[a[0] for a in CONTRACT_ROWS])
def test_contract_plans_with_bad_dates_or_money_are_refused(request, api, editor, attack, change):
    award = request.getfixturevalue("final_award")
    contract = award.contract
    url = reverse("awards:contract-detail", args=[contract.pk])
    row = {
        "title": "Everything",
        "due_date": str(timezone.localdate() + timedelta(days=200)),
        "tranche_amount": str(award.amount),
    }
    row.update(change)
    before, plan = snapshot(contract), list(contract.milestones.values())
    response = api.as_user(editor).put(url, data={"milestones": [row]}, format="json")
    body = assert_error_body(response, 400)
    assert "milestones" in " ".join(body["fields"]), body
    assert snapshot(contract) == before
    assert list(contract.milestones.values()) == plan


CONTRACT_ACTIONS = [
    ("contract-extension", {"months": -1, "reason": "x"}, "months"),
    ("contract-extension", {"months": 0, "reason": "x"}, "months"),
    ("contract-extension", {"months": 10**12, "reason": "x"}, "months"),
    ("contract-extension", {"months": "NaN", "reason": "x"}, "months"),
    ("contract-extension", {"months": 1.5, "reason": "x"}, "months"),
    ("contract-terminate", {"at_fault": True, "reason": "x", "recover_amount": "-1"}, "recover_amount"),
    ("contract-terminate", {"at_fault": True, "reason": "x", "recover_amount": "NaN"}, "recover_amount"),
    ("contract-terminate", {"at_fault": True, "reason": "x", "recover_amount": "1e30"}, "recover_amount"),
    ("contract-terminate", {"at_fault": True, "reason": "x", "ban_years": 10**9}, "ban_years"),
    ("contract-terminate", {"at_fault": True, "reason": "x", "ban_years": -1}, None),
    ("contract-terminate", {"at_fault": "maybe", "reason": "x"}, "at_fault"),
]


@pytest.mark.parametrize(
    ("action", "body", "field"), CONTRACT_ACTIONS, ids=[f"{a}-{n}" for n, (a, _b, _f) in enumerate(CONTRACT_ACTIONS)]
)
def test_contract_actions_with_bad_numbers_are_refused(request, api, approver, action, body, field):
    award = request.getfixturevalue("final_award")
    contract = award.contract
    before, award_before = snapshot(contract), snapshot(award)
    response = api.as_user(approver).post(reverse(f"awards:{action}", args=[contract.pk]), data=body, format="json")
    error = assert_error_body(response, 400)
    if field:
        assert field in error["fields"], error
    assert snapshot(contract) == before
    assert snapshot(award) == award_before

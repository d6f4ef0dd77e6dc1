"""Who may do what through the API: every action against every actor who must be refused.

404 when the caller may not know the object exists (a draft of another agency, an open question
of someone else, a confidential file); 403 when they can see it but may not act; 401 for anonymous
writes. The rightful actor's success anchors each row, so a refusal is never an accident.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges import services
from challenges.models import Challenge
from core.models import AuditEvent
from core.opaque import encode
from tests.factories import challenge_data, indicator_data, make_challenge

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(challenge, action: str = "") -> str:
    return f"/api/v1/challenges/{challenge.pk}/{action}"


def full_body(issuer=None) -> dict:
    data = challenge_data()
    body = {
        **{k: str(v) for k, v in data.items()},
        "bidding_opens_at": data["bidding_opens_at"].isoformat(),
        "bidding_closes_at": data["bidding_closes_at"].isoformat(),
        "fields": ["integrated-circuits"],
        "indicators": [{k: str(v) for k, v in indicator_data().items()}],
    }
    if issuer is not None:
        body["issuer"] = encode(issuer.pk)
    return body


@pytest.fixture
def world(agency, editor, approver, rival):
    """One challenge in each state, an open question, and private files."""
    draft = make_challenge(issuer=agency, editor=editor, title="Draft")
    draft_file = services.attachment_add(
        challenge=draft, actor=editor, upload=SimpleUploadedFile("draft.pdf", PDF), confidential=False
    )
    pending = make_challenge(issuer=agency, editor=editor, status="pending_approval", title="Pending")
    self_submitted = make_challenge(issuer=agency, editor=editor, title="Submitted by the approver")
    services.challenge_submit(challenge=self_submitted, actor=approver)

    published = make_challenge(issuer=agency, editor=editor, title="Published")
    secret = services.attachment_add(
        challenge=published, actor=editor, upload=SimpleUploadedFile("secret.pdf", PDF), confidential=True
    )
    services.challenge_submit(challenge=published, actor=editor)
    published = services.challenge_approve(challenge=published, actor=approver)
    question = services.question_ask(challenge=published, actor=rival, text="Open question")
    return {
        "agency": agency,
        "draft": draft,
        "draft_file": draft_file,
        "pending": pending,
        "self_submitted": self_submitted,
        "published": published,
        "secret": secret,
        "question": question,
    }


def _pdf():
    return SimpleUploadedFile("extra.pdf", PDF, content_type="application/pdf")


# action: (method, path, body, format), built from the world.
ACTIONS = {
    "create": lambda w: ("post", "/api/v1/challenges/", full_body(w["agency"]), "json"),
    "update draft": lambda w: ("patch", url(w["draft"]), {"title": "Hijacked"}, "json"),
    "replace draft": lambda w: ("put", url(w["draft"]), full_body(), "json"),
    "update published": lambda w: ("patch", url(w["published"]), {"title": "Hijacked"}, "json"),
    "submit": lambda w: ("post", url(w["draft"], "submit"), {}, "json"),
    "approve": lambda w: ("post", url(w["pending"], "approve"), {}, "json"),
    "return": lambda w: ("post", url(w["pending"], "return"), {"comment": "No"}, "json"),
    "approve own submission": lambda w: ("post", url(w["self_submitted"], "approve"), {}, "json"),
    "return own submission": lambda w: ("post", url(w["self_submitted"], "return"), {"comment": "No"}, "json"),
    "cancel draft": lambda w: ("post", url(w["draft"], "cancel"), {"reason": "No"}, "json"),
    "cancel published": lambda w: ("post", url(w["published"], "cancel"), {"reason": "No"}, "json"),
    "amend": lambda w: (
        "post",
        url(w["published"], "amendments"),
        {"reason": "Because", "changes": {"summary": "Hijacked"}},
        "json",
    ),
    "ask": lambda w: ("post", url(w["published"], "questions"), {"text": "Why?"}, "json"),
    "ask on draft": lambda w: ("post", url(w["draft"], "questions"), {"text": "Why?"}, "json"),
    "answer": lambda w: (
        "post",
        url(w["published"], f"questions/{encode(w['question'].pk)}/answer"),
        {"answer": "Because."},
        "json",
    ),
    "sign nda": lambda w: ("post", url(w["published"], "nda"), {}, "json"),
    "sign nda of draft": lambda w: ("post", url(w["draft"], "nda"), {}, "json"),
    "upload to draft": lambda w: ("post", url(w["draft"], "attachments"), {"file": _pdf()}, "multipart"),
    "upload to published": lambda w: ("post", url(w["published"], "attachments"), {"file": _pdf()}, "multipart"),
    "read draft": lambda w: ("get", url(w["draft"]), None, None),
    "read draft amendments": lambda w: ("get", url(w["draft"], "amendments"), None, None),
    "read draft questions": lambda w: ("get", url(w["draft"], "questions"), None, None),
    "read draft nda": lambda w: ("get", url(w["draft"], "nda"), None, None),
    "read draft files": lambda w: ("get", url(w["draft"], "attachments"), None, None),
    "download draft file": lambda w: (
        "get",
        f"/api/v1/challenge-attachments/{encode(w['draft_file'].pk)}/download",
        None,
        None,
    ),
    "download confidential file": lambda w: (
        "get",
        f"/api/v1/challenge-attachments/{encode(w['secret'].pk)}/download",
        None,
        None,
    ),
    "read subscriptions": lambda w: ("get", "/api/v1/subscriptions/", None, None),
    "set subscriptions": lambda w: ("put", "/api/v1/subscriptions/", {"fields": ["quantum"]}, "json"),
}

OUTSIDERS = ("other_agency_editor", "bidder", "reviewer")


def _same(code: int, *extra: tuple[str, int]) -> dict[str, int]:
    return {**dict.fromkeys(OUTSIDERS, code), "anonymous": 401, **dict(extra)}


def _hidden() -> dict[str, int]:
    """Reads of something the caller may not know of: 404 for everyone, anonymous included."""
    return {**dict.fromkeys(OUTSIDERS, 404), "anonymous": 404}


REFUSED = {
    "create": _same(403),
    "update draft": _same(404),
    "replace draft": _same(404),
    "update published": _same(403),
    "submit": _same(404),
    "approve": _same(404, ("editor", 403)),
    "return": _same(404, ("editor", 403)),
    # The four-eyes rule: whoever submitted may not approve or return it.
    "approve own submission": {"approver": 403},
    "return own submission": {"approver": 403},
    "cancel draft": _same(404, ("editor", 403)),
    "cancel published": _same(403, ("editor", 403)),
    "amend": _same(403),
    "ask": {"other_agency_editor": 403, "reviewer": 403, "anonymous": 401, "editor": 403, "approver": 403},
    "ask on draft": _same(404),
    # An open question is known only to the issuer and the asker (rival).
    "answer": _same(404, ("rival", 403)),
    "sign nda": {"other_agency_editor": 403, "reviewer": 403, "anonymous": 401, "editor": 403},
    "sign nda of draft": _same(404),
    "upload to draft": _same(404),
    "upload to published": _same(403),
    "read draft": _hidden(),
    "read draft amendments": _hidden(),
    "read draft questions": _hidden(),
    "read draft nda": _hidden(),
    "read draft files": _hidden(),
    "download draft file": _hidden(),
    "download confidential file": {**_hidden(), "rival": 404},
    "read subscriptions": {"other_agency_editor": 403, "reviewer": 403, "anonymous": 401, "editor": 403},
    "set subscriptions": {"other_agency_editor": 403, "reviewer": 403, "anonymous": 401, "editor": 403},
}

ALLOWED = {
    "create": ("editor", 201),
    "update draft": ("editor", 200),
    "replace draft": ("editor", 200),
    "submit": ("editor", 200),
    "approve": ("approver", 200),
    "return": ("approver", 200),
    "cancel draft": ("approver", 200),
    "cancel published": ("operator", 200),
    "amend": ("editor", 201),
    "ask": ("bidder", 201),
    "answer": ("editor", 200),
    "sign nda": ("bidder", 201),
    "upload to draft": ("editor", 201),
    "read draft": ("operator", 200),
    "read draft questions": ("editor", 200),
    "download draft file": ("editor", 200),
    "download confidential file": ("approver", 200),
    "read subscriptions": ("bidder", 200),
    "set subscriptions": ("bidder", 200),
}


def _call(api, request, world, action: str, actor: str):
    api.as_user(None if actor == "anonymous" else request.getfixturevalue(actor))
    method, path, body, fmt = ACTIONS[action](world)
    response = getattr(api, method)(path, body, format=fmt) if body is not None else getattr(api, method)(path)
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "detail", "fields"}
    return response


def _states() -> dict:
    return dict(Challenge.objects.values_list("pk", "status"))


@pytest.mark.parametrize(
    ("action", "actor", "expected"),
    [(action, actor, code) for action, codes in REFUSED.items() for actor, code in codes.items()],
    ids=lambda value: str(value).replace(" ", "_"),
)
def test_every_forbidden_actor_is_refused_on_every_action(api, request, world, other_agency_editor, action, actor, expected):
    states, events = _states(), AuditEvent.objects.count()
    response = _call(api, request, world, action, actor)
    assert response.status_code == expected, response.content
    assert response.json()["code"] in {"permission_denied", "not_found", "not_authenticated"}
    assert _states() == states and AuditEvent.objects.count() == events
    assert Challenge.objects.get(pk=world["draft"].pk).title == "Draft"


@pytest.mark.parametrize(("action", "rightful"), ALLOWED.items(), ids=lambda value: str(value).replace(" ", "_"))
def test_the_rightful_actor_succeeds_on_the_same_action(api, request, world, operator, action, rightful):
    actor, expected = rightful
    response = _call(api, request, world, action, actor)
    assert response.status_code == expected, response.content


def test_an_anonymous_write_says_how_to_authenticate(api, world):
    response = api.as_user(None).post(url(world["published"], "nda"), {}, format="json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_a_random_id_is_a_404_not_a_500(api, editor):
    api.as_user(editor)
    assert api.get("/api/v1/challenges/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api.get("/api/v1/challenges/not-a-uuid/").status_code == 404


def test_another_agency_cannot_see_drafts_in_its_list(api, world, other_agency_editor, editor):
    assert "Draft" not in [c["title"] for c in api.as_user(other_agency_editor).get("/api/v1/challenges/").json()["results"]]
    assert "Draft" not in [c["title"] for c in api.get("/api/v1/challenges/", {"mine": "1"}).json()["results"]]
    assert "Draft" in [c["title"] for c in api.as_user(editor).get("/api/v1/challenges/", {"mine": "1"}).json()["results"]]


def test_an_agency_cannot_create_for_another_agency(api, other_agency, editor):
    response = api.as_user(editor).post("/api/v1/challenges/", full_body(other_agency), format="json")
    assert response.status_code == 403


def test_applicants_and_agencies_see_no_open_questions_of_others(api, world, bidder, other_agency_editor, operator):
    path = url(world["published"], "questions")
    assert api.as_user(bidder).get(path).json() == []
    assert api.as_user(other_agency_editor).get(path).json() == []
    assert len(api.as_user(operator).get(path).json()) == 1


def test_an_operator_sees_every_draft_and_confidential_part(api, world, operator):
    api.as_user(operator)
    assert api.get(url(world["draft"])).status_code == 200
    assert api.get(url(world["published"])).json()["confidential_details"] is not None

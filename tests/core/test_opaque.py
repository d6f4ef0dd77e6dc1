"""Opaque ids: the permutation itself, the `oid` converter, and what pages and the API do with them."""

import random

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from core import opaque
from core.converters import OpaqueIdConverter
from core.opaque import decode, encode
from tests.factories import OrganisationFactory
from tests.reviews.conftest import make_expert

ids = st.integers(min_value=1, max_value=opaque.MAX_ID)


def _render(value: int) -> str:
    """A well-formed 13-character string for any 64-bit value, as encode would write it."""
    chars = []
    for _ in range(opaque.LENGTH):
        value, digit = divmod(value, 32)
        chars.append(opaque.ALPHABET[digit])
    return "".join(reversed(chars))


# The permutation ------------------------------------------------------------------------------------


@given(ids)
def test_decode_inverts_encode(n):
    text = encode(n)
    assert decode(text) == n
    assert len(text) == opaque.LENGTH and set(text) <= set(opaque.ALPHABET)


@given(ids, ids)
def test_distinct_ids_give_distinct_strings(a, b):
    assert (encode(a) == encode(b)) == (a == b)


@given(st.text(alphabet=opaque.ALPHABET, min_size=opaque.LENGTH, max_size=opaque.LENGTH))
def test_only_strings_that_encode_wrote_are_accepted(text):
    try:
        n = decode(text)
    except ValueError:
        return
    assert encode(n) == text


@given(st.text(max_size=40).filter(lambda s: len(s) != opaque.LENGTH or not set(s) <= set(opaque.ALPHABET)))
def test_wrong_length_or_alphabet_is_refused(text):
    with pytest.raises(ValueError):
        decode(text)


def test_random_well_formed_strings_are_almost_always_refused():
    rng = random.Random(20261128)
    tries = 20_000
    accepted = sum(opaque.is_valid("".join(rng.choice(opaque.ALPHABET) for _ in range(opaque.LENGTH))) for _ in range(tries))
    # Expected about tries * 2**-24 ≈ 0.001.
    assert accepted <= 1


def test_values_beyond_the_bound_and_64_bits_are_refused():
    key = opaque._key()
    assert not opaque.is_valid(_render(opaque._permute(key, opaque.MAX_ID + 1)))
    assert not opaque.is_valid(_render(opaque._permute(key, 0)))
    assert opaque.is_valid(_render(opaque._permute(key, opaque.MAX_ID)))
    assert not opaque.is_valid("8" + "0" * 12)  # 2**64: more than 64 bits
    assert not opaque.is_valid(encode(5).upper())
    for bad in (0, -1, opaque.MAX_ID + 1, True, "5", 5.0):
        with pytest.raises(ValueError):
            encode(bad)


def test_sequential_ids_do_not_look_sequential():
    first, second = encode(1), encode(2)
    assert sum(x != y for x, y in zip(first, second, strict=True)) >= 6


def test_the_key_decides_the_permutation(settings):
    default = encode(42)
    settings.OPAQUE_ID_KEY = "another-key"
    assert encode(42) != default and decode(encode(42)) == 42
    assert not opaque.is_valid(default) or decode(default) != 42


def test_the_converter_encodes_ints_and_passes_opaque_ids_through():
    converter = OpaqueIdConverter()
    assert converter.to_url(7) == encode(7) == converter.to_url(encode(7)) == converter.to_url("7")
    assert converter.to_python(encode(7)) == 7
    with pytest.raises(ValueError):
        converter.to_python("7")
    with pytest.raises(NoReverseMatch):
        reverse("frontend:contract_detail", args=["not-an-id"])


# Pages and the API ------------------------------------------------------------------------------------


@pytest.fixture
def garbled(bidder_org) -> str:
    good = encode(bidder_org.pk)
    return good[:-1] + ("a" if good[-1] != "a" else "b")


@pytest.mark.django_db
def test_pages_take_opaque_ids_and_refuse_integers_and_garbled_ones(client, bidder, bidder_org, garbled):
    client.force_login(bidder)
    url = reverse("frontend:organisation_detail", args=[bidder_org.pk])
    assert url == f"/organisations/{encode(bidder_org.pk)}/"
    assert client.get(url).status_code == 200
    assert client.get(f"/organisations/{bidder_org.pk}/").status_code == 404
    assert client.get(f"/organisations/{garbled}/").status_code == 404
    assert client.get(f"/organisations/{encode(bidder_org.pk + 10_000)}/").status_code == 404  # well formed, no such row
    assert client.get(f"/contracts/{garbled}/").status_code == 404


@pytest.mark.django_db
def test_api_refuses_integer_and_garbled_ids_with_a_plain_404(api, bidder, bidder_org, garbled):
    client = api.as_user(bidder)
    assert client.get(f"/api/v1/organisations/{encode(bidder_org.pk)}/").status_code == 200
    for path in (
        f"/api/v1/organisations/{bidder_org.pk}/",
        f"/api/v1/organisations/{garbled}/",
        f"/api/v1/contracts/{garbled}/",
        f"/api/v1/assignments/{'z' * 13}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_api_ids_are_opaque_and_lead_back_to_the_object(api, operator, bidder_org, rival_org):
    client = api.as_user(operator)
    rows = client.get("/api/v1/organisations/?page_size=50").json()["results"]
    by_pk = {decode(row["id"]): row for row in rows}
    assert {bidder_org.pk, rival_org.pk} <= set(by_pk)
    for row in rows:
        assert isinstance(row["id"], str) and not row["id"].isdigit()
        detail = client.get(f"/api/v1/organisations/{row['id']}/")
        assert detail.status_code == 200 and detail.json() == row


@pytest.mark.django_db
def test_api_takes_opaque_ids_in_bodies_and_query_and_names_a_bad_one(api, operator):
    lab = OrganisationFactory(name="Lab")
    expert = make_expert(operator, affiliation=lab)
    client = api.as_user(operator)

    listed = client.get("/api/v1/experts/", {"affiliation": encode(lab.pk)}).json()["results"]
    assert [row["id"] for row in listed] == [encode(expert.pk)]
    assert listed[0]["affiliation"] == {"id": encode(lab.pk), "name": "Lab"}
    bad_query = client.get("/api/v1/experts/", {"affiliation": "12"})
    assert bad_query.status_code == 400 and "affiliation" in bad_query.json()["fields"]

    url = reverse("reviews:expert-conflicts", args=[expert.pk])
    other = OrganisationFactory(name="Old employer")
    added = client.post(url, {"organisation": encode(other.pk), "reason": "co-author"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["organisation"]["id"] == encode(other.pk)
    for bad in (other.pk, str(other.pk), "not-an-opaque", encode(other.pk).upper()):
        response = client.post(url, {"organisation": bad, "reason": "co-author"}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["fields"]["organisation"] == ["Not a valid id."]

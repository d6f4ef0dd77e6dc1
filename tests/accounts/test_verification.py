import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Membership, Organisation
from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from core.opaque import encode
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_org():
    return OrganisationFactory(pending=True, name="New Co")


@pytest.fixture
def pending_admin(pending_org):
    return member(pending_org, Membership.Role.ADMIN)


def test_operator_verifies_and_managers_are_told(pending_org, pending_admin, operator):
    org = services.organisation_verify(organisation=pending_org, actor=operator)
    assert org.status == Organisation.Status.VERIFIED
    assert org.verified_by == operator
    event = AuditEvent.objects.get(action="organisation.verify")
    assert event.before["status"] == "pending" and event.after["status"] == "verified"
    assert event.actor == operator
    assert Notification.objects.filter(recipient=pending_admin, verb="organisation.verified").exists()


def test_a_member_cannot_verify_their_own_organisation(pending_org, pending_admin):
    with pytest.raises(PermissionDenied):
        services.organisation_verify(organisation=pending_org, actor=pending_admin)
    pending_org.refresh_from_db()
    assert pending_org.status == Organisation.Status.PENDING
    assert not AuditEvent.objects.filter(action="organisation.verify").exists()


def test_rejecting_needs_a_reason(pending_org, operator):
    with pytest.raises(ValidationError):
        services.organisation_reject(organisation=pending_org, actor=operator, reason="  ")
    org = services.organisation_reject(organisation=pending_org, actor=operator, reason="Code does not match licence")
    assert org.status == Organisation.Status.REJECTED
    assert org.rejection_reason == "Code does not match licence"


def test_a_rejected_organisation_can_fix_and_resubmit(pending_org, pending_admin, operator):
    services.organisation_reject(organisation=pending_org, actor=operator, reason="Wrong name")
    org = services.organisation_resubmit(organisation=pending_org, actor=pending_admin, name="New Co Ltd")
    assert org.status == Organisation.Status.PENDING and org.name == "New Co Ltd"


def test_verifying_twice_is_an_invalid_transition(pending_org, operator):
    services.organisation_verify(organisation=pending_org, actor=operator)
    with pytest.raises(InvalidTransition):
        services.organisation_verify(organisation=pending_org, actor=operator)


def test_registering_makes_the_registrant_manager(bidder, operator):
    org = services.organisation_register(
        actor=bidder, name="Fresh Lab", kind="institute", credit_code="91350100m000100y43", size="small"
    )
    assert org.credit_code == "91350100M000100Y43"
    assert org.status == Organisation.Status.PENDING
    assert Membership.objects.get(user=bidder, organisation=org).role == Membership.Role.ADMIN
    assert Notification.objects.filter(recipient=operator, verb="organisation.registered").exists()


def test_registering_with_a_bad_code_names_the_field(bidder):
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(actor=bidder, name="X", kind="enterprise", credit_code="91350100M000100Y44", size="small")
    assert "credit_code" in caught.value.message_dict


class TestApi:
    def test_operator_verifies_through_the_api(self, api, pending_org, operator):
        response = api.as_user(operator).post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify")
        assert response.status_code == 200
        assert response.json()["status"] == "verified"

    def test_member_gets_403(self, api, pending_org, pending_admin):
        response = api.as_user(pending_admin).post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_outsider_gets_404(self, api, pending_org, rival):
        response = api.as_user(rival).post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}

    def test_anonymous_gets_401(self, api, pending_org):
        assert api.post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify").status_code == 401

    def test_verifying_twice_is_409(self, api, pending_org, operator):
        api.as_user(operator).post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify")
        response = api.post(f"/api/v1/organisations/{encode(pending_org.pk)}/verify")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert "verified" in response.json()["detail"]

    def test_reject_without_reason_is_400_with_field(self, api, pending_org, operator):
        response = api.as_user(operator).post(f"/api/v1/organisations/{encode(pending_org.pk)}/reject", {}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "reason" in response.json()["fields"]

    def test_list_shows_only_own_organisations(self, api, bidder, bidder_org, rival_org, operator):
        names = [o["name"] for o in api.as_user(bidder).get("/api/v1/organisations/").json()["results"]]
        assert names == [bidder_org.name]
        everyone = api.as_user(operator).get("/api/v1/organisations/").json()["count"]
        assert everyone >= 2


class TestPages:
    def test_operator_sees_the_queue_and_verifies(self, client, pending_org, operator):
        client.force_login(operator)
        assert pending_org.name in client.get("/organisations/verify/").content.decode()
        response = client.post(f"/organisations/{encode(pending_org.pk)}/verify/")
        assert response.status_code == 302
        pending_org.refresh_from_db()
        assert pending_org.status == Organisation.Status.VERIFIED

    def test_member_cannot_verify_on_the_page(self, client, pending_org, pending_admin):
        client.force_login(pending_admin)
        assert client.get("/organisations/verify/").status_code == 403
        assert client.post(f"/organisations/{encode(pending_org.pk)}/verify/").status_code == 403

    def test_outsider_cannot_see_the_organisation(self, client, pending_org, rival):
        client.force_login(rival)
        assert client.get(f"/organisations/{encode(pending_org.pk)}/").status_code == 404

    def test_anonymous_is_sent_to_login(self, client, pending_org):
        response = client.get(f"/organisations/{encode(pending_org.pk)}/")
        assert response.status_code == 302 and "/login/" in response.url

    def test_verifying_twice_on_the_page_shows_the_reason(self, client, pending_org, operator):
        client.force_login(operator)
        client.post(f"/organisations/{encode(pending_org.pk)}/verify/")
        response = client.post(
            f"/organisations/{encode(pending_org.pk)}/verify/",
            HTTP_REFERER=f"http://testserver/organisations/{pending_org.pk}/",
        )
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
        assert "Cannot verify" in page

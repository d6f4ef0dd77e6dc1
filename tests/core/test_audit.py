import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core import audit
from core.models import AuditEvent
from core.opaque import encode

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(operator, bidder_org):
    for i in range(5):
        audit.record(action=f"test.step{i}", actor=operator, obj=bidder_org, before={"n": i}, after={"n": i + 1})
    return list(AuditEvent.objects.order_by("seq"))


def test_an_untouched_chain_verifies(chain, capsys):
    assert audit.verify_chain() is None
    call_command("verify_audit")
    assert "intact: 5 events" in capsys.readouterr().out


def test_each_event_links_to_the_previous(chain):
    assert chain[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:], strict=False))
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]


def test_tampering_with_one_row_is_detected_and_named(chain):
    # A direct UPDATE, as someone with database access would do it.
    AuditEvent.objects.filter(pk=chain[2].pk).update(after={"n": 999})
    assert audit.verify_chain().seq == 3
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit")


def test_deleting_a_row_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[1].pk)._raw_delete("default")
    assert audit.verify_chain().seq == 3


def test_deleting_the_last_row_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[-1].pk)._raw_delete("default")
    assert audit.verify_chain() is not None


def test_events_cannot_be_edited_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.action = "forged"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_request_id_is_recorded_from_the_request(api, operator, bidder_org):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(pending=True)
    response = api.as_user(operator).post(f"/api/v1/organisations/{encode(org.pk)}/verify", HTTP_X_REQUEST_ID="req-1234567890")
    assert response["X-Request-ID"] == "req-1234567890"
    assert AuditEvent.objects.get(action="organisation.verify").request_id == "req-1234567890"

import pytest
from django.core.management import call_command

from accounts.models import Membership, Organisation, User
from challenges.models import Challenge
from reviews.models import ExpertProfile
from submissions.models import Bid

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_role_a_login_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "operator@demo.cn" in out and "demo-pass-2026" in out
    assert User.objects.filter(is_operator=True).count() == 1
    assert Organisation.objects.filter(kind="agency").count() == 1
    assert Organisation.objects.exclude(kind="agency").count() == 3
    assert set(Membership.objects.values_list("role", flat=True)) == {"editor", "approver", "admin", "member"}
    assert ExpertProfile.objects.count() == 10
    assert Challenge.objects.filter(status="published").count() == 3
    assert Bid.objects.filter(status="submitted").count() == 1
    assert User.objects.get(email="editor@demo.cn").check_password("demo-pass-2026")

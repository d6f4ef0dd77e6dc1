"""A demo data set with a login for every role. Safe to run twice."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.validators import check_character

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo on purpose

ORGANISATIONS = [
    # (key, name, kind, size, specialised SME, credit code body without the check character)
    ("agency", "示范市科学技术局 Demo City Science & Technology Bureau", "agency", "large", False, "11330100MB0000001"),
    ("enterprise", "华芯微电子有限公司 Huaxin Microelectronics Co.", "enterprise", "medium", True, "91330100MA0000002"),
    ("university", "东海理工大学 Donghai University of Technology", "university", "large", False, "12330100MB0000003"),
    ("institute", "先进材料研究院 Institute of Advanced Materials", "institute", "small", False, "12330100MB0000004"),
]

PEOPLE = [
    # (email, name, organisation key or None, role)
    ("editor@demo.cn", "王编辑 Wang (agency editor)", "agency", Membership.Role.EDITOR),
    ("approver@demo.cn", "李审批 Li (agency approver)", "agency", Membership.Role.APPROVER),
    ("admin@huaxin.demo.cn", "张总 Zhang (Huaxin admin)", "enterprise", Membership.Role.ADMIN),
    ("member@huaxin.demo.cn", "陈工 Chen (Huaxin member)", "enterprise", Membership.Role.MEMBER),
    ("admin@donghai.demo.cn", "刘教授 Liu (Donghai admin)", "university", Membership.Role.ADMIN),
    ("admin@iam.demo.cn", "赵研究员 Zhao (Institute admin)", "institute", Membership.Role.ADMIN),
]
EXPERTS = [f"expert{i:02d}@demo.cn" for i in range(1, 11)]
OPERATOR = "operator@demo.cn"


class Command(BaseCommand):
    help = "Load the demo data set (organisations, people for every role) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        operator = self._user(OPERATOR, "平台运营 Operator", is_operator=True, is_staff=True, is_superuser=True)
        orgs = {}
        for key, name, kind, size, sme, body in ORGANISATIONS:
            orgs[key], _ = Organisation.objects.update_or_create(
                credit_code=body + check_character(body),
                defaults={
                    "name": name,
                    "kind": kind,
                    "size": size,
                    "is_specialised_sme": sme,
                    "status": Organisation.Status.VERIFIED,
                    "verified_at": now,
                    "verified_by": operator,
                },
            )
        for email, name, org_key, role in PEOPLE:
            user = self._user(email, name)
            Membership.objects.update_or_create(user=user, organisation=orgs[org_key], defaults={"role": role})
        experts = [self._user(email, f"专家{index:02d} Expert {index:02d}") for index, email in enumerate(EXPERTS, start=1)]
        from frontend import demo

        demo.build(
            orgs=orgs,
            people={email: User.objects.get(email=email) for email, *_ in PEOPLE},
            experts=experts,
            operator=operator,
        )
        self._print_logins()

    def _user(self, email: str, name: str, **flags) -> User:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, **flags})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.email_verified_at = timezone.now()
            user.save()
        return user

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Log in at /login/ with any of these:"))
        self.stdout.write(f"  {'email':<28} role (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  {OPERATOR:<28} operator (also the Django admin)")
        for email, _name, org_key, role in PEOPLE:
            self.stdout.write(f"  {email:<28} {role.label} · {org_key}")
        self.stdout.write(f"  {EXPERTS[0]:<28} expert (… through {EXPERTS[-1]})")

from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain
from core.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first broken event."

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Audit chain broken at event #{broken.seq} ({broken.action}).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {AuditEvent.objects.count()} events."))

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, import_platform


class Command(BaseCommand):
    help = (
        "Load an archive made by export_platform into an empty, migrated database (all or nothing), "
        "restore the private files, and check row counts and the audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the tar.gz written by export_platform")
        parser.add_argument("--chunk", type=int, default=2000, help="rows inserted per batch")

    def handle(self, *args, **options):
        try:
            import_platform(
                options["archive"], chunk=options["chunk"], log=lambda line: self.stdout.write(self.style.SUCCESS(line))
            )
        except BackupError as exc:
            raise CommandError(f"Import refused, nothing was changed: {exc}") from exc

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, export_platform


class Command(BaseCommand):
    help = "Write the whole platform (all rows and private files) to one tar.gz archive with a checked manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the file to write, e.g. platform-2026-11-28.tar.gz (must not exist)")
        parser.add_argument("--force", action="store_true", help="export even if the audit chain does not verify")
        parser.add_argument("--chunk", type=int, default=2000, help="rows read per query")

    def handle(self, *args, **options):
        try:
            manifest = export_platform(options["archive"], force=options["force"], chunk=options["chunk"], log=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(entry["rows"] for entry in manifest["models"])
        chain = manifest["audit"]
        if not chain["verified"]:
            self.stderr.write(self.style.WARNING(f"Exported with a broken audit chain (event #{chain['broken_at']})."))
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['archive']}: {rows} rows of {len(manifest['models'])} models, "
                f"{len(manifest['media'])} files, audit chain of {chain['length']} events, head {chain['head_hash']}."
            )
        )

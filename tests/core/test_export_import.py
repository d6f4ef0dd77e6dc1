"""export_platform → wipe → import_platform gives back the same platform, audit chain and files;
a damaged, tampered or unsafe archive, or a database that is not empty, is refused with nothing written."""

import hashlib
import importlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from core import audit, backup
from core.models import AuditEvent, AuditHead
from submissions import services as bid_services
from submissions.models import Bid, BidAttachment
from tests.factories import make_bid, make_challenge

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(range(256))


def rows() -> dict[str, list[dict]]:
    """Every row of every exported model, field by field; content types and permissions by their
    natural keys, since a fresh database numbers them differently."""
    return {
        m._meta.label_lower: [portable(m, row) for row in m._base_manager.order_by("pk").values()]
        for m in backup.exported_models()
    }


def portable(model, row: dict) -> dict:
    for field in model._meta.concrete_fields:
        if field.is_relation and issubclass(field.remote_field.model, backup.NATURAL) and row[field.attname] is not None:
            row[field.attname] = field.remote_field.model._base_manager.get(pk=row[field.attname]).natural_key()
    return row


def media() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def head() -> tuple[int, str]:
    tip = AuditHead.objects.get(pk=1)
    return tip.seq, tip.hash


def export(path: Path, *args) -> str:
    out = io.StringIO()
    call_command("export_platform", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_(path: Path) -> str:
    out = io.StringIO()
    call_command("import_platform", str(path), stdout=out)
    return out.getvalue()


def wipe() -> None:
    """The state of a freshly migrated database with an empty media folder."""
    if connection.vendor == "postgresql":
        # The test's own transaction has deferred FK checks pending, which TRUNCATE refuses.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # flush empties the tables data migrations filled; a fresh `migrate` has those rows.
    importlib.import_module("challenges.migrations.0002_taxonomy_and_search_index").add_fields(django_apps, None)
    importlib.import_module("reviews.migrations.0002_rubric_templates").add_templates(django_apps, None)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def is_empty() -> bool:
    seeded = set(backup.SEEDED)
    return not any(m._base_manager.exists() for m in backup.exported_models() if m._meta.label_lower not in seeded)


def rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive member by member; `change(name, data)` returns new bytes, or None to keep."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            data = change(member.name, data) or data
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def add_member(source: Path, target: Path, info: tarfile.TarInfo, data: bytes = b"") -> None:
    """A copy of the archive with one more member (a file, or a link when `info` says so)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            new.addfile(member, old.extractfile(member))
        info.size = len(data)
        new.addfile(info, io.BytesIO(data) if info.isreg() else None)


@pytest.fixture(autouse=True)
def _forget_content_type_ids():
    """flush renumbers content types and the test's rollback restores them: keep no cached ids."""
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def demo(django_user_model):
    """The demo story (challenges at every stage, reviews, awards, contracts, payments) plus files."""
    call_command("seed_demo", stdout=io.StringIO())
    bid = Bid.objects.get(status="submitted")
    admin = django_user_model.objects.get(email="admin@huaxin.demo.cn")
    bid_services.attachment_add(bid=bid, actor=admin, upload=SimpleUploadedFile("技术方案.pdf", PDF), description="方案")
    bid_services.attachment_add(bid=bid, actor=admin, upload=SimpleUploadedFile("photo.png", PNG))
    return bid


@pytest.fixture
def small(agency, editor, approver, bidder_org, bidder):
    """A light platform for the refusal tests: a challenge and a bid with one file."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    bid_services.attachment_add(bid=bid, actor=bidder, upload=SimpleUploadedFile("plan.pdf", PDF))
    return bid


def test_round_trip_gives_back_every_row_file_and_the_audit_chain(demo, tmp_path, client):
    archive = tmp_path / "platform.tar.gz"
    before_rows, before_media, before_head = rows(), media(), head()
    assert len(before_media) == 2 and AuditEvent.objects.count() > 100
    assert before_head == (AuditEvent.objects.count(), AuditEvent.objects.order_by("-seq").first().hash)

    out = export(archive)
    assert f"head {before_head[1]}" in out
    assert archive.stat().st_mode & 0o777 == 0o600  # every bid and password hash is in there
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["audit"] == {
        "verified": True,
        "broken_at": None,
        "length": before_head[0],
        "head_seq": before_head[0],
        "head_hash": before_head[1],
    }
    assert {e["model"]: e["rows"] for e in manifest["models"]} == {label: len(r) for label, r in before_rows.items()}
    assert sorted(e["member"] for e in manifest["media"]) == sorted(f"media/{name}" for name in before_media)
    assert set(names) == {"manifest.json"} | {e["member"] for e in manifest["models"] + manifest["media"]}
    assert manifest["migrations"]["awards"] and "core" in manifest["migrations"]

    wipe()
    assert is_empty() and media() == {}
    out = import_(archive)

    assert "Audit chain intact" in out and before_head[1] in out
    after_rows = rows()
    assert {k: len(v) for k, v in after_rows.items()} == {k: len(v) for k, v in before_rows.items()}
    assert after_rows == before_rows  # every field of every row, times to the microsecond
    assert media() == before_media
    assert audit.verify_chain() is None and head() == before_head
    call_command("verify_audit", stdout=io.StringIO())

    # The restored platform works: sign in, see a page, fetch a file through its permission check, sign out.
    attachment = BidAttachment.objects.get(name="技术方案.pdf")
    response = client.post("/login/", {"username": "admin@huaxin.demo.cn", "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert client.get(reverse("frontend:bid_detail", args=[attachment.bid_id])).status_code == 200
    download = client.get(reverse("frontend:bid_attachment_download", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    client.post("/logout/")
    assert client.get(reverse("frontend:bid_detail", args=[attachment.bid_id])).status_code == 302

    # New rows continue the restored ids and the restored chain.
    bid = Bid.objects.get(pk=attachment.bid_id)
    admin = attachment.uploaded_by
    added = bid_services.attachment_add(bid=bid, actor=admin, upload=SimpleUploadedFile("more.pdf", PDF))
    assert added.pk > max(row["id"] for row in before_rows["submissions.bidattachment"])
    assert head()[0] == before_head[0] + 1 and audit.verify_chain() is None


def test_import_refuses_a_database_that_is_not_empty(small, tmp_path):
    archive = tmp_path / "platform.tar.gz"
    export(archive)
    before_rows, before_media = rows(), media()
    with pytest.raises(CommandError, match="not empty"):
        import_(archive)
    assert rows() == before_rows and media() == before_media


def test_import_refuses_a_changed_byte(small, tmp_path):
    archive, damaged = tmp_path / "platform.tar.gz", tmp_path / "damaged.tar.gz"
    export(archive)

    def flip(name, data):
        if name.endswith("submissions.bid.jsonl"):
            return data.replace(b"Our approach", b"Our apprOach")

    rewrite(archive, damaged, flip)
    wipe()
    with pytest.raises(CommandError, match=r"Checksum mismatch.*submissions\.bid\.jsonl"):
        import_(damaged)
    assert is_empty() and media() == {}


def test_import_refuses_a_damaged_file(small, tmp_path):
    archive = tmp_path / "platform.tar.gz"
    export(archive)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    wipe()
    with pytest.raises(CommandError, match="damaged|Checksum mismatch"):
        import_(archive)
    assert is_empty() and media() == {}


def test_import_refuses_a_tampered_audit_row_even_with_matching_checksums(small, tmp_path):
    """Someone who rewrites a row and the manifest's checksum still cannot get past the hash chain."""
    archive, tampered = tmp_path / "platform.tar.gz", tmp_path / "tampered.tar.gz"
    export(archive)
    victim = AuditEvent.objects.get(action="bid.attachment_add")
    edited = {}

    def tamper(name, data):
        if name.endswith("core.auditevent.jsonl"):
            lines = [json.loads(line) for line in data.decode().splitlines()]
            for line in lines:
                if line["pk"] == victim.pk:
                    line["fields"]["after"]["name"] = "innocent.pdf"
            edited[name] = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode() + b"\n"
            return edited[name]
        if name == "manifest.json":  # the last member: the edited rows' checksum is known by now
            manifest = json.loads(data)
            for entry in manifest["models"]:
                if entry["member"] in edited:
                    entry["sha256"] = hashlib.sha256(edited[entry["member"]]).hexdigest()
            return json.dumps(manifest).encode()

    rewrite(archive, tampered, tamper)
    assert edited
    wipe()
    with pytest.raises(CommandError, match=rf"audit chain is broken at event #{victim.seq}"):
        import_(tampered)
    assert is_empty() and media() == {}


@pytest.mark.parametrize(
    "name, kind",
    [("media/../../outside.pdf", tarfile.REGTYPE), ("/etc/evil", tarfile.REGTYPE), ("media/link", tarfile.SYMTYPE)],
)
def test_import_refuses_members_that_escape_or_are_links(small, tmp_path, name, kind):
    archive, evil = tmp_path / "platform.tar.gz", tmp_path / "evil.tar.gz"
    export(archive)
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
    add_member(archive, evil, info, b"x" if kind == tarfile.REGTYPE else b"")
    wipe()
    with pytest.raises(CommandError, match="Refused: the archive member"):
        import_(evil)
    assert is_empty() and media() == {}
    assert not (tmp_path / "outside.pdf").exists() and not (Path(settings.MEDIA_ROOT).parent / "outside.pdf").exists()


def test_import_refuses_another_migration_state(small, tmp_path):
    archive, other = tmp_path / "platform.tar.gz", tmp_path / "other.tar.gz"
    export(archive)

    def older(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["migrations"]["awards"] = manifest["migrations"]["awards"][:-1]
            return json.dumps(manifest).encode()

    rewrite(archive, other, older)
    wipe()
    with pytest.raises(CommandError, match="another migration state.*Applied here but not there: awards"):
        import_(other)
    assert is_empty() and media() == {}


def test_import_refuses_an_existing_file_and_writes_nothing(small, tmp_path):
    archive = tmp_path / "platform.tar.gz"
    export(archive)
    name = next(iter(media()))
    wipe()
    squatter = Path(settings.MEDIA_ROOT) / name
    squatter.parent.mkdir(parents=True)
    squatter.write_bytes(b"already here")
    with pytest.raises(CommandError, match="exists already"):
        import_(archive)
    assert is_empty() and media() == {name: b"already here"}


def test_a_failure_while_writing_files_rolls_back_the_rows_and_removes_the_files(small, tmp_path, rival_org, rival):
    bid = make_bid(challenge=small.challenge, lead=rival_org, actor=rival, title="Rival approach")
    bid_services.attachment_add(bid=bid, actor=rival, upload=SimpleUploadedFile("rival.pdf", PDF))
    archive = tmp_path / "platform.tar.gz"
    export(archive)
    with tarfile.open(archive) as tar:
        first, second = [entry["member"] for entry in json.load(tar.extractfile("manifest.json"))["media"]]
    wipe()
    # A plain file where the second file's folder should be: the first file is written, the second cannot be.
    blocker = Path(settings.MEDIA_ROOT).joinpath(*second.split("/")[1:-1])
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"in the way")
    with pytest.raises(CommandError, match="Could not write the private files"):
        import_(archive)
    assert is_empty()
    assert media() == {blocker.relative_to(settings.MEDIA_ROOT).as_posix(): b"in the way"}
    assert not Path(settings.MEDIA_ROOT).joinpath(*first.split("/")[1:-1]).exists()  # its new folder went too


def test_export_refuses_a_broken_chain_unless_forced(small, tmp_path):
    AuditEvent.objects.filter(seq=2).update(action="tampered")
    with pytest.raises(CommandError, match="audit chain is broken at event #2"):
        export(tmp_path / "refused.tar.gz")
    assert not list(tmp_path.glob("*.tar.gz")) and not list(tmp_path.glob(".*partial"))

    forced = tmp_path / "forced.tar.gz"
    export(forced, "--force")
    with tarfile.open(forced) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["forced"] is True and manifest["audit"]["verified"] is False and manifest["audit"]["broken_at"] == 2
    # The import reproduces the platform as it was, break included, and says so.
    wipe()
    import_(forced)
    assert audit.verify_chain().seq == 2


def test_export_never_overwrites(small, tmp_path):
    archive = tmp_path / "platform.tar.gz"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        export(archive)
    assert archive.read_bytes() == b"keep me"

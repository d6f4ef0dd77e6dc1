"""Export a whole platform (database rows and private files) to one archive, and import it again.

The archive is a tar.gz holding `manifest.json`, one JSON-lines member per model under `data/`,
and the private files under `media/` (and `private/` when private files live elsewhere). The
manifest records the migration state, row counts, the sha256 of every member and the audit
chain's head, so an import can prove it restored exactly what was exported.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import FileSystemStorage
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from . import audit, files
from .models import AuditEvent, AuditHead

FORMAT = "challenge-bounty-platform"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000

# Made again by `migrate` in the target (and referred to by natural key), or not worth keeping:
# a restore logs everybody out.
EXCLUDED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Filled by data migrations (challenges 0002, reviews 0002), so an empty migrated database already
# has them; the import replaces them with the archive's rows.
SEEDED = ["reviews.criterion", "reviews.rubric", "challenges.technicalfield"]
# Foreign keys to these are written as natural keys: their ids differ between databases.
NATURAL = (ContentType, Permission)


class BackupError(Exception):
    """A refusal or a failed check, with a message for the operator."""


# Which rows ------------------------------------------------------------------------------


def exported_models() -> list[type[models.Model]]:
    """Every concrete model of every installed app, m2m tables included, in app order."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed and model._meta.label_lower not in EXCLUDED
    ]


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def media_roots() -> dict[str, Path]:
    """Archive prefix → folder: MEDIA_ROOT, and the private storage's folder if it is another one.
    Private files in object storage are not copied: the bucket has its own versioning and backups."""
    roots = {"media": Path(settings.MEDIA_ROOT)}
    storage = files.private_storage()
    if isinstance(storage, FileSystemStorage) and Path(storage.location).resolve() != roots["media"].resolve():
        roots["private"] = Path(storage.location)
    return roots


def private_storage_is_local() -> bool:
    return isinstance(files.private_storage(), FileSystemStorage)


def audit_head() -> dict:
    head = AuditHead.objects.filter(pk=1).first()
    return {
        "length": AuditEvent.objects.count(),
        "head_seq": head.seq if head else 0,
        "head_hash": head.hash if head else audit.GENESIS,
    }


# Serialising -----------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; audit hashes need every microsecond."""

    def default(self, o):
        if isinstance(o, datetime | dtime):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """JSON lines with exact times, natural keys only for content types and permissions, and no
    m2m lists: the m2m tables are exported as models of their own, so nothing is queried per row."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = _Encoder

    def end_object(self, obj):
        # json.dumps takes the C encoder and writes once; json.dump writes every token.
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None

    def handle_fk_field(self, obj, field):
        if issubclass(field.remote_field.model, NATURAL):
            related = getattr(obj, field.name)
            self._current[field.name] = related.natural_key() if related else None
        else:
            self._current[field.name] = self._value_from_field(obj, field)

    def handle_m2m_field(self, obj, field):
        pass


def _rows(model: type[models.Model], chunk: int) -> Iterator[list[models.Model]]:
    """All rows in primary-key order, a chunk at a time (keyset pages: this works even where
    server-side cursors are off, which makes `.iterator()` fetch everything at once)."""
    queryset = model._base_manager.order_by("pk")
    natural = [
        f"{f.name}__content_type" if f.remote_field.model is Permission else f.name
        for f in model._meta.concrete_fields
        if f.is_relation and issubclass(f.remote_field.model, NATURAL)
    ]
    if natural:
        queryset = queryset.select_related(*natural)
    last = None
    while True:
        page = list((queryset if last is None else queryset.filter(pk__gt=last))[:chunk])
        if not page:
            return
        yield page
        last = page[-1].pk


class _Hashing(io.RawIOBase):
    """Reads through a file while hashing what was read."""

    def __init__(self, raw):
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)


# Export ----------------------------------------------------------------------------------


def export_platform(path: str | Path, *, force: bool = False, chunk: int = CHUNK, log: Callable[[str], None] = print) -> dict:
    """Write the archive at `path` (never over an existing file) and return its manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    connection = connections[DEFAULT_DB_ALIAS]
    fresh = not connection.in_atomic_block
    partial = path.with_name(f".{path.name}.partial")
    try:
        # Owner-only: the archive holds every bid, password hash and private file.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        # One transaction, so the rows come from one moment of the database.
        with transaction.atomic(), open(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            if fresh and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            manifest = _write(tar, force=force, chunk=chunk, log=log, staging=path.parent)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write(tar: tarfile.TarFile, *, force: bool, chunk: int, log, staging: Path) -> dict:
    broken = audit.verify_chain()
    if broken is not None and not force:
        raise BackupError(
            f"The audit chain is broken at event #{broken.seq} ({broken.action}); nothing was exported. "
            "Use --force to export it anyway (the manifest records that)."
        )
    if not private_storage_is_local():
        log("Private files are in object storage: they are not in the archive; back up the bucket with its own tools.")
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database_vendor": connections[DEFAULT_DB_ALIAS].vendor,
        "forced": force,
        "private_files": "in the archive" if private_storage_is_local() else "in object storage, not in the archive",
        "audit": {"verified": broken is None, "broken_at": broken.seq if broken else None, **audit_head()},
        "migrations": migration_state(),
        "models": [],
        "media": [],
    }
    for index, model in enumerate(exported_models(), start=1):
        label = model._meta.label_lower
        member = f"data/{index:03d}-{label}.jsonl"
        rows = 0
        with tempfile.NamedTemporaryFile("w+b", dir=staging, prefix=".export-", suffix=".jsonl") as stage:
            text = io.TextIOWrapper(stage.file, encoding="utf-8", newline="\n")
            for page in _rows(model, chunk):
                _Serializer().serialize(page, stream=text)
                rows += len(page)
            text.flush()
            text.detach()
            stage.seek(0)
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = os.fstat(stage.fileno()).st_size, int(time.time()), 0o640
            reader = _Hashing(stage)
            tar.addfile(info, reader)
        manifest["models"].append({"model": label, "member": member, "rows": rows, "sha256": reader.digest.hexdigest()})
    for prefix, root in media_roots().items():
        for source, relative in _media_files(root, log):
            member = f"{prefix}/{relative}"
            info = tar.gettarinfo(str(source), arcname=member)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(source, "rb") as handle:
                reader = _Hashing(handle)
                tar.addfile(info, reader)
            manifest["media"].append({"member": member, "size": reader.size, "sha256": reader.digest.hexdigest()})
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o640
    tar.addfile(info, io.BytesIO(data))
    return manifest


def _media_files(root: Path, log) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            source = Path(folder) / name
            if source.is_symlink() or not source.is_file():
                log(f"Skipped {source}: not a regular file.")
                continue
            yield source, source.relative_to(root).as_posix()


# Import ----------------------------------------------------------------------------------


@dataclass
class Summary:
    models: int = 0
    rows: int = 0
    media_files: int = 0
    media_bytes: int = 0
    audit_events: int = 0
    audit_head: str = ""
    written: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)


def import_platform(path: str | Path, *, chunk: int = CHUNK, log: Callable[[str], None] = print) -> Summary:
    """Load an archive into an empty migrated database; all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No archive at {path}.")
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a readable tar.gz archive: {exc}") from exc
    with tar:
        ContentType.objects.clear_cache()  # ids differ after a flush or in another database
        try:
            manifest, members = _check_archive(tar)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise BackupError(f"{path} is damaged, it cannot be read to the end: {exc}") from exc
        _check_migrations(manifest)
        _check_models(manifest)
        _check_empty()
        targets = _media_targets(manifest)
        summary = Summary()
        try:
            with transaction.atomic():
                _load(tar, manifest, members, summary, chunk)
                _verify(manifest, summary)
                _restore_media(tar, manifest, members, targets, summary)
        except DatabaseError as exc:
            _remove_written(summary)
            raise BackupError(f"The database refused the archive's rows: {exc}") from exc
        except OSError as exc:
            _remove_written(summary)
            raise BackupError(f"Could not write the private files ({exc}); the files written so far were removed.") from exc
        except BaseException:
            _remove_written(summary)
            raise
    chain = (
        "Audit chain intact"
        if manifest["audit"]["verified"]
        else f"Audit chain restored as exported, broken at event #{manifest['audit']['broken_at']}"
    )
    log(
        f"Imported {summary.rows} rows of {summary.models} models and {summary.media_files} files "
        f"({summary.media_bytes} bytes). {chain}: {summary.audit_events} events, head {summary.audit_head}."
    )
    return summary


def _check_archive(tar: tarfile.TarFile) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """Every member safe to read, listed in the manifest, and with the recorded checksum."""
    members, digests, manifest = {}, {}, None
    for member in tar:
        _check_member(member)
        if member.name in members:
            raise BackupError(f"The archive holds {member.name} twice.")
        members[member.name] = member
        handle = tar.extractfile(member)
        if member.name == MANIFEST:
            try:
                manifest = json.loads(handle.read(member.size))
            except ValueError as exc:
                raise BackupError("The archive's manifest is not valid JSON.") from exc
            continue
        reader = _Hashing(handle)
        while reader.read(1 << 20):
            pass
        digests[member.name] = reader.digest.hexdigest()
    # tarfile stops quietly at a damaged header; reading the gzip stream to its end checks its CRC.
    while tar.fileobj.read(1 << 20):
        pass
    if manifest is None:
        raise BackupError("The archive has no manifest.json: it was not made by export_platform.")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r} version {manifest.get('version')!r}.")
    try:
        listed = {entry["member"]: entry["sha256"] for entry in manifest["models"] + manifest["media"]}
        complete = all(key in manifest["audit"] for key in ("verified", "broken_at", "length", "head_seq", "head_hash"))
        complete = complete and isinstance(manifest["migrations"], dict) and all("model" in e for e in manifest["models"])
    except (KeyError, TypeError):
        complete = False
        listed = {}
    if not complete:
        raise BackupError("The archive's manifest is incomplete: it was not made by this export_platform.")
    if extra := sorted(set(digests) - set(listed)):
        raise BackupError(f"The archive holds files its manifest does not list: {', '.join(extra[:5])}.")
    if missing := sorted(set(listed) - set(digests)):
        raise BackupError(f"The archive lacks files its manifest lists: {', '.join(missing[:5])}.")
    if changed := sorted(name for name, digest in listed.items() if digests[name] != digest):
        raise BackupError(f"Checksum mismatch, the archive was changed or damaged: {', '.join(changed[:5])}.")
    return manifest, members


def _check_models(manifest: dict) -> None:
    """The archive has a table for exactly the models this code has (same migrations imply it)."""
    here = [model._meta.label_lower for model in exported_models()]
    there = [entry["model"] for entry in manifest["models"]]
    if sorted(here) != sorted(there):
        missing = ", ".join(sorted(set(here) - set(there))) or "none"
        extra = ", ".join(sorted(set(there) - set(here))) or "none"
        raise BackupError(f"The archive's tables do not match this code's models. Missing: {missing}. Unknown: {extra}.")


def _check_member(member: tarfile.TarInfo) -> None:
    name = member.name
    parts = name.split("/")
    unsafe = (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
        or (name != MANIFEST and (len(parts) < 2 or parts[0] not in ("data", "media", "private")))
    )
    if unsafe:
        raise BackupError(f"Refused: the archive member {name!r} points outside the places an import writes to.")
    if not member.isreg():
        raise BackupError(f"Refused: the archive member {name!r} is not a regular file (a link or a device?).")


def _check_migrations(manifest: dict) -> None:
    here = {(app, name) for app, names in migration_state().items() for name in names}
    there = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    if not here:
        raise BackupError("This database is not migrated: run `manage.py migrate` first, then import.")
    if here != there:
        missing = ", ".join(f"{app}.{name}" for app, name in sorted(there - here)) or "none"
        extra = ", ".join(f"{app}.{name}" for app, name in sorted(here - there)) or "none"
        raise BackupError(
            "The archive was made at another migration state. "
            f"Applied there but not here: {missing}. Applied here but not there: {extra}. "
            "Import with the code version that made the archive (same migrations), then migrate."
        )


def _check_empty() -> None:
    seeded = set(SEEDED)
    filled = [
        f"{model._meta.label} ({model._base_manager.count()})"
        for model in exported_models()
        if model._meta.label_lower not in seeded and model._base_manager.exists()
    ]
    if filled:
        raise BackupError(
            "The database is not empty; import only into a freshly migrated database. "
            f"Rows found in: {', '.join(filled[:8])}{' …' if len(filled) > 8 else ''}."
        )


def _media_targets(manifest: dict) -> dict[str, tuple[Path, Path]]:
    """Where each file goes; refuse before writing anything if one would leave its folder or exists."""
    roots = {prefix: root.resolve() for prefix, root in media_roots().items()}
    roots.setdefault("private", roots["media"])
    targets = {}
    for entry in manifest["media"]:
        prefix, _, relative = entry["member"].partition("/")
        root = roots[prefix]
        target = root.joinpath(*relative.split("/"))
        if os.path.commonpath([root, target.parent.resolve()]) != str(root):
            raise BackupError(f"Refused: {entry['member']} would be written outside {root}.")
        if os.path.lexists(target):
            raise BackupError(f"Refused: {target} exists already; import needs an empty media folder.")
        targets[entry["member"]] = (target, root)
    return targets


def _load(tar, manifest: dict, members: dict, summary: Summary, chunk: int) -> None:
    using = DEFAULT_DB_ALIAS
    connection = connections[using]
    for label in SEEDED:
        apps.get_model(label)._base_manager.all().delete()
    if connection.vendor == "postgresql":
        # Rows arrive in app order, not in foreign-key order: check the keys once, at the end.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    loaded = []
    for entry in manifest["models"]:
        model = apps.get_model(entry["model"])
        reader = _Hashing(tar.extractfile(members[entry["member"]]))
        lines = io.TextIOWrapper(io.BufferedReader(reader), encoding="utf-8")
        batch, rows = [], 0
        try:
            for item in serializers.deserialize("jsonl", lines, using=using):
                if type(item.object) is not model:
                    raise BackupError(f"{entry['member']} holds a {item.object._meta.label} row.")
                batch.append(item.object)
                if len(batch) >= chunk:
                    rows += _insert(model, batch, using)
                    batch = []
            rows += _insert(model, batch, using)
        except serializers.base.DeserializationError as exc:
            raise BackupError(f"Could not read {entry['member']}: {exc}") from exc
        if reader.digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['member']} changed while it was being imported.")
        if rows != entry["rows"]:
            raise BackupError(f"{entry['member']} holds {rows} rows; the manifest says {entry['rows']}.")
        loaded.append(model)
        summary.models += 1
        summary.rows += rows
    # The rows keep their ids, so the id sequences must start after them (PostgreSQL).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(sql)
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded])


def _insert(model, objs: list, using: str) -> int:
    """Insert rows exactly as read: `raw` keeps auto_now values instead of stamping the time of
    the import (`bulk_create` would), and no save() or signal runs."""
    if not objs:
        return 0
    fields = list(model._meta.local_concrete_fields)
    size = max(connections[using].ops.bulk_batch_size(fields, objs), 1)
    for start in range(0, len(objs), size):
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True, using=using)
    return len(objs)


def _verify(manifest: dict, summary: Summary) -> None:
    for entry in manifest["models"]:
        count = apps.get_model(entry["model"])._base_manager.count()
        if count != entry["rows"]:
            raise BackupError(f"{entry['model']} has {count} rows after the import; the manifest says {entry['rows']}.")
    expected = manifest["audit"]
    broken = audit.verify_chain()
    if expected["verified"] and broken is not None:
        raise BackupError(f"The imported audit chain is broken at event #{broken.seq} ({broken.action}); nothing was imported.")
    if not expected["verified"] and (broken is None or broken.seq != expected["broken_at"]):
        raise BackupError("The imported audit chain does not break where the (forced) export recorded; nothing was imported.")
    head = audit_head()
    if (head["head_seq"], head["head_hash"], head["length"]) != (
        expected["head_seq"],
        expected["head_hash"],
        expected["length"],
    ):
        raise BackupError(
            f"The imported audit head #{head['head_seq']} {head['head_hash']} is not the exported "
            f"#{expected['head_seq']} {expected['head_hash']}; nothing was imported."
        )
    summary.audit_events, summary.audit_head = head["length"], head["head_hash"]


def _restore_media(tar, manifest: dict, members: dict, targets: dict[str, tuple[Path, Path]], summary: Summary) -> None:
    mode = getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o640
    for entry in manifest["media"]:
        target, root = targets[entry["member"]]
        missing = [folder for folder in [target.parent, *target.parent.parents] if not folder.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        summary.folders.extend(reversed(missing))
        # Checked again now the folders exist: none of them may be a link out of the root.
        if os.path.commonpath([root, target.parent.resolve()]) != str(root):
            raise BackupError(f"Refused: {entry['member']} would be written outside {root}.")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(target, flags, mode)
        summary.written.append(target)
        reader = _Hashing(tar.extractfile(members[entry["member"]]))
        with os.fdopen(descriptor, "wb") as out:
            shutil.copyfileobj(reader, out, 1 << 20)
        if reader.digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['member']} changed while it was being imported.")
        summary.media_files += 1
        summary.media_bytes += reader.size


def _remove_written(summary: Summary) -> None:
    """Undo a failed import's files, and the folders it made if they are empty again."""
    for written in summary.written:
        written.unlink(missing_ok=True)
    for folder in reversed(summary.folders):
        try:
            folder.rmdir()
        except OSError:
            pass

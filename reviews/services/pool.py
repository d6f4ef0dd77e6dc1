"""The expert pool: operators manage it, experts keep parts of their own profile current."""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from challenges.models import TechnicalField
from core import audit
from core.errors import DomainError

from ..models import DeclaredConflict, ExpertProfile

User = get_user_model()
# What an expert may change on their own profile; the rest is the operator's.
SELF_EDITABLE = frozenset({"keywords", "bio", "title"})
OPERATOR_EDITABLE = SELF_EDITABLE | {"affiliation", "tier", "max_concurrent", "is_finance_expert", "is_active"}
CSV_COLUMNS = [
    "email",
    "full_name",
    "affiliation_credit_code",
    "title",
    "tier",
    "fields",
    "keywords",
    "max_concurrent",
    "finance",
]


def expert_save(*, actor, user, data: dict, fields: list[TechnicalField] | None = None) -> ExpertProfile:
    """Create or update a profile. The expert edits only keywords, bio and title of their own."""
    own = actor.pk == user.pk
    allowed = OPERATOR_EDITABLE if actor.has_perm("reviews.manage_pool") else (SELF_EDITABLE if own else frozenset())
    if not allowed or set(data) - allowed or (fields is not None and not actor.has_perm("reviews.manage_pool")):
        raise PermissionDenied
    with transaction.atomic():
        profile, created = ExpertProfile.objects.select_for_update().get_or_create(user=user)
        before = audit.snapshot(profile, list(data))
        for name, value in data.items():
            setattr(profile, name, _clean_keywords(value) if name == "keywords" else value)
        profile.full_clean()
        profile.save()
        if fields is not None:
            profile.fields.set(fields)
        audit.record(
            action="expert.create" if created else "expert.update",
            actor=actor,
            obj=profile,
            before=before,
            after=audit.snapshot(profile, list(data)) | ({"fields": [f.code for f in fields]} if fields is not None else {}),
        )
    return profile


def expert_create(*, actor, email: str, full_name: str, data: dict, fields: list[TechnicalField] | None = None) -> ExpertProfile:
    """An operator adds a person to the pool. Someone new gets an account without a password
    (they set one through "forgot password"); someone already in the pool is refused."""
    if not actor.has_perm("reviews.manage_pool"):
        raise PermissionDenied
    email = (email or "").strip().lower()
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": (full_name or "").strip()})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif ExpertProfile.objects.filter(user=user).exists():
            raise DomainError(_("%(email)s is already in the expert pool.") % {"email": email}, code="duplicate")
        return expert_save(actor=actor, user=user, data=data, fields=fields)


def _clean_keywords(value) -> list[str]:
    items = value.split(";") if isinstance(value, str) else value
    return sorted({str(k).strip() for k in items if str(k).strip()})[:50]


def conflict_declare(
    *, expert: ExpertProfile, actor, reason: str, organisation: Organisation | None = None, person_name: str = ""
) -> DeclaredConflict:
    if actor.pk != expert.user_id and not actor.has_perm("reviews.manage_pool"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason or (organisation is None and not person_name.strip()):
        raise ValidationError({"reason": _("Name the organisation or person and give a reason.")})
    with transaction.atomic():
        conflict = DeclaredConflict.objects.create(
            expert=expert, organisation=organisation, person_name=person_name.strip(), reason=reason[:250]
        )
        audit.record(
            action="expert.declare_conflict",
            actor=actor,
            obj=conflict,
            after={"organisation": getattr(organisation, "pk", None), "person": person_name, "reason": reason},
        )
    return conflict


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def experts_import_csv(*, actor, data: bytes, dry_run: bool = False) -> ImportResult:
    """Import experts from CSV (UTF-8, header row). Every bad row is reported with its line;
    if any row is bad nothing is imported, so a corrected file can simply be uploaded again."""
    if not actor.has_perm("reviews.manage_pool"):
        raise PermissionDenied
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = set(CSV_COLUMNS[:2]) - set(reader.fieldnames or [])
    if missing:
        raise ValidationError({"file": _("Missing columns: %(cols)s") % {"cols": ", ".join(sorted(missing))}})
    fields_by_code = {f.code: f for f in TechnicalField.objects.all()}
    orgs = {o.credit_code: o for o in Organisation.objects.all().only("pk", "credit_code")}
    result, rows, seen = ImportResult(), [], {}
    for line, row in enumerate(reader, start=2):
        try:
            parsed = _parse_row(row, fields_by_code, orgs)
        except ValidationError as exc:
            result.errors.append((line, "; ".join(exc.messages)))
            continue
        if parsed["email"] in seen:
            result.errors.append((line, _("%(e)s is already on line %(n)s") % {"e": parsed["email"], "n": seen[parsed["email"]]}))
            continue
        seen[parsed["email"]] = line
        rows.append(parsed)
    if result.errors:
        return result
    if dry_run:
        # What the import would do, so the operator can check the file before committing to it.
        existing = set(ExpertProfile.objects.filter(user__email__in=list(seen)).values_list("user__email", flat=True))
        result.created, result.updated = len(seen) - len(existing), len(existing)
        return result
    with transaction.atomic():
        for parsed in rows:
            created = _save_row(parsed)
            result.created += created
            result.updated += not created
        audit.record(action="expert.import", actor=actor, after={"created": result.created, "updated": result.updated})
    return result


def _parse_row(row: dict, fields_by_code: dict, orgs: dict) -> dict:
    email = (row.get("email") or "").strip().lower()
    errors = []
    try:
        validate_email(email)
    except ValidationError:
        errors.append(_("invalid email “%(e)s”") % {"e": email})
    name = (row.get("full_name") or "").strip()
    if not name:
        errors.append(_("full_name is empty"))
    codes = [c.strip() for c in (row.get("fields") or "").split(";") if c.strip()]
    unknown = [c for c in codes if c not in fields_by_code]
    if unknown:
        errors.append(_("unknown field codes: %(c)s") % {"c": ", ".join(unknown)})
    credit = (row.get("affiliation_credit_code") or "").strip().upper()
    if credit and credit not in orgs:
        errors.append(_("no organisation with credit code %(c)s") % {"c": credit})
    tier, cap = (
        _int(row.get("tier"), 3, 1, 5, "tier", errors),
        _int(row.get("max_concurrent"), 8, 1, 200, "max_concurrent", errors),
    )
    if errors:
        raise ValidationError(errors)
    return {
        "email": email,
        "full_name": name,
        "affiliation": orgs.get(credit),
        "title": (row.get("title") or "").strip()[:100],
        "tier": tier,
        "max_concurrent": cap,
        "is_finance_expert": (row.get("finance") or "").strip().lower() in {"1", "yes", "true", "是"},
        "keywords": _clean_keywords(row.get("keywords") or ""),
        "fields": [fields_by_code[c] for c in codes],
    }


def _int(raw, default: int, low: int, high: int, name: str, errors: list) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(_("%(name)s must be a whole number from %(lo)s to %(hi)s") % {"name": name, "lo": low, "hi": high})
        return default
    return int(raw)


def _save_row(parsed: dict) -> bool:
    fields = parsed.pop("fields")
    user, _user_created = User.objects.get_or_create(email=parsed.pop("email"), defaults={"full_name": parsed["full_name"]})
    if _user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    parsed.pop("full_name")
    profile, created = ExpertProfile.objects.update_or_create(user=user, defaults=parsed)
    profile.fields.set(fields)
    return created

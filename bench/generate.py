"""Fill the configured database with a realistic, bilingual benchmark data set, fast.

    python bench/generate.py --challenges 10000          # top up to 10,000 generated challenges
    python bench/generate.py --challenges 10000 --reset  # delete what it made before, then make 10,000

Everything it makes is marked so it can be found and deleted again:

* organisations have credit codes with the region part 999999 (no real administrative
  division has that number) followed by "B": e.g. 91999999BE0000123 plus the check character;
* users have addresses @bench.invalid;
* challenges belong to the generated agencies.

Rows are written with bulk_create in batches inside transactions; no service is called per row,
so no audit events or notifications are written either. `--actors` then adds, through the services,
what the logged-in load scenarios need (bench/actors.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:
    django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import ProtectedError  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organisation, User  # noqa: E402
from accounts.validators import check_character  # noqa: E402
from bench.vocabulary import (  # noqa: E402
    ACTIONS,
    AGENCIES,
    CITIES,
    ENTERPRISE_KINDS,
    INSTITUTES,
    PAINS,
    QUALIFIERS,
    TOPICS,
    TRADE_WORDS,
    UNIVERSITIES,
    USERS,
)
from challenges.models import Challenge, Indicator, TechnicalField  # noqa: E402

MARK_REGION = "999999"
# Registration authority and category (2 characters), then the marker region: see the module doc.
GENERATED_CODE_REGEX = r"^[0-9A-Z]{2}999999B"
EMAIL_DOMAIN = "bench.invalid"
APPLICANTS = 300
BATCH_SIZE = 1000

Status = Challenge.Status
# Mostly open or recently closed lists, as on a live platform; every state appears.
STATUS_WEIGHTS = [
    (Status.PUBLISHED, 46),
    (Status.BIDDING_CLOSED, 24),
    (Status.DRAFT, 7),
    (Status.PENDING_APPROVAL, 3),
    (Status.UNDER_REVIEW, 5),
    (Status.IN_PUBLICITY, 2),
    (Status.AWARDED, 3),
    (Status.IN_EXECUTION, 5),
    (Status.COMPLETED, 2),
    (Status.CANCELLED, 1.5),
    (Status.UNAWARDED, 1.5),
]

GENERIC_INDICATORS = [
    ("国产化率", "localisation rate", "%", "gte", 40, 100, 90),
    ("单位成本下降", "unit cost reduction", "%", "gte", 0, 30, 20),
    ("连续稳定运行时间", "continuous stable operation", "h", "gte", 500, 2000, 1000),
    ("示范应用用户数", "pilot users", "家", "gte", 0, 5, 3),
    ("授权发明专利", "granted invention patents", "件", "gte", 0, 10, 5),
    ("批次一致性偏差", "batch-to-batch deviation", "%", "lte", 5, 1, 2),
]
MEASUREMENT = "第三方检测机构按国家标准测试，样本不少于 5 件。Third-party lab, national standard, at least 5 samples."
SYMBOLS = {"gte": "≥", "lte": "≤", "eq": "="}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明", "超", "霞", "平", "刚", "婷", "宇"]
SCHOOLS = ["集成电路学院", "材料科学与工程学院", "机械工程学院", "计算机学院", "能源与动力工程学院"]


def credit_code(prefix: str, kind_letter: str, number: int) -> str:
    body = f"{prefix}{MARK_REGION}B{kind_letter}{number:07d}"
    return body + check_character(body)


def generated_organisations():
    return Organisation.objects.filter(credit_code__regex=GENERATED_CODE_REGEX)


def generated_challenges():
    return Challenge.objects.filter(issuer__credit_code__regex=GENERATED_CODE_REGEX)


def count_generated() -> int:
    return generated_challenges().count()


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


# Organisations and people ----------------------------------------------------------------------


def _applicant_specs(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(name, kind, size, credit-code prefix) for every applicant organisation, deterministic."""
    specs = []
    for i in range(APPLICANTS):
        if i % 6 == 4:
            uni = UNIVERSITIES[(i // 6) % len(UNIVERSITIES)]
            school = SCHOOLS[(i // 6 // len(UNIVERSITIES)) % len(SCHOOLS)]
            specs.append((f"{uni}{school}" if i >= 6 * len(UNIVERSITIES) else uni, "university", "large", "12"))
        elif i % 6 == 5:
            n = i // 6
            name = INSTITUTES[n] if n < len(INSTITUTES) else f"{rng.choice(CITIES)}{rng.choice(TRADE_WORDS)}创新研究院"
            specs.append((name, "institute", "medium", "12"))
        else:
            name = f"{rng.choice(CITIES)}{rng.choice(TRADE_WORDS)}{rng.choice(TRADE_WORDS)}{rng.choice(ENTERPRISE_KINDS)}"
            size = rng.choices(["large", "medium", "small", "micro"], weights=[2, 4, 5, 2])[0]
            specs.append((name, "enterprise", size, "91"))
    return specs


def ensure_organisations() -> tuple[list[Organisation], list[Organisation], dict[int, dict[str, User]]]:
    """The 20 agencies, 300 applicants, their staff and memberships; created once, then reused."""
    rng = random.Random(20250101)  # noqa: S311 - same organisations on every run
    now = timezone.now()
    orgs = [
        Organisation(
            name=name,
            kind=Organisation.Kind.AGENCY,
            credit_code=credit_code("11", "A", i + 1),
            size=Organisation.Size.LARGE,
            status=Organisation.Status.VERIFIED,
            verified_at=now,
            address=f"{name}办公楼",
        )
        for i, name in enumerate(AGENCIES)
    ]
    for i, (name, kind, size, prefix) in enumerate(_applicant_specs(rng)):
        orgs.append(
            Organisation(
                name=name,
                kind=kind,
                credit_code=credit_code(prefix, "E", i + 1),
                size=size,
                is_specialised_sme=kind == "enterprise" and size in {"small", "medium"} and rng.random() < 0.4,
                status=Organisation.Status.VERIFIED if rng.random() < 0.93 else Organisation.Status.PENDING,
                verified_at=now,
                address=f"{rng.choice(CITIES)}市高新区科技路 {rng.randint(1, 999)} 号",
            )
        )
    Organisation.objects.bulk_create(orgs, batch_size=BATCH_SIZE, ignore_conflicts=True)
    by_code = {o.credit_code: o for o in generated_organisations()}
    agencies = [by_code[o.credit_code] for o in orgs if o.kind == Organisation.Kind.AGENCY]
    applicants = [by_code[o.credit_code] for o in orgs if o.kind != Organisation.Kind.AGENCY]

    unusable = make_password(None)  # nobody logs in as a generated user
    users, roles = [], []
    for i, agency in enumerate(agencies):
        for role in (Membership.Role.EDITOR, Membership.Role.APPROVER):
            email = f"agency{i + 1:02d}-{role}@{EMAIL_DOMAIN}"
            users.append(User(email=email, full_name=_person(rng), password=unusable, email_verified_at=now))
            roles.append((email, agency, role))
    for i, applicant in enumerate(applicants):
        email = f"org{i + 1:03d}-admin@{EMAIL_DOMAIN}"
        users.append(User(email=email, full_name=_person(rng), password=unusable, email_verified_at=now))
        roles.append((email, applicant, Membership.Role.ADMIN))
    User.objects.bulk_create(users, batch_size=BATCH_SIZE, ignore_conflicts=True)
    by_email = {u.email: u for u in User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")}
    Membership.objects.bulk_create(
        [Membership(user=by_email[email], organisation=org, role=role) for email, org, role in roles],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    staff: dict[int, dict[str, User]] = {}
    for email, org, role in roles:
        if org.kind == Organisation.Kind.AGENCY:
            staff.setdefault(org.pk, {})[role] = by_email[email]
    return agencies, applicants, staff


# Challenges ------------------------------------------------------------------------------------


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _indicators(rng: random.Random, topic_templates, count: int) -> list[tuple]:
    chosen = list(topic_templates[:count])
    if len(chosen) < count:
        chosen += rng.sample(GENERIC_INDICATORS, count - len(chosen))
    return chosen


def _dates(rng: random.Random, status: str, now):
    """(opens, closes, published_at, bidding_closed_at) consistent with the state."""
    day = timedelta(days=1)
    if status in {Status.DRAFT, Status.PENDING_APPROVAL} or (status == Status.CANCELLED and rng.random() < 0.3):
        # Never published (a cancelled one withdrawn before approval stays private).
        opens = now + rng.randint(7, 60) * day
        return opens, opens + rng.randint(30, 90) * day, None, None
    if status == Status.PUBLISHED:
        if rng.random() < 0.1:  # announced, bidding not open yet
            opens = now + rng.randint(1, 14) * day
        else:
            opens = now - rng.randint(1, 60) * day - timedelta(minutes=rng.randint(0, 1440))
        closes = max(opens, now) + rng.randint(1, 90) * day + timedelta(minutes=rng.randint(0, 1440))
        return opens, closes, min(opens, now) - rng.randint(0, 7) * day, None
    if status == Status.BIDDING_CLOSED:
        closes = now - rng.randint(1, 30) * day
    elif status == Status.CANCELLED and rng.random() < 0.5:
        closes = now + rng.randint(1, 60) * day
    else:
        closes = now - rng.randint(30, 720) * day
    opens = closes - rng.randint(30, 90) * day
    published = opens - rng.randint(0, 7) * day
    return opens, closes, published, (closes if closes <= now else None)


def _challenge_rows(rng, index, fields, agencies, staff, now):
    status = STATUS_WEIGHTS[index][0] if index < len(STATUS_WEIGHTS) else None
    if status is None:
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]
    field = fields[index % len(fields)]
    topics = TOPICS.get(field.code) or [(field.name_zh, field.name_en.lower(), [])]
    topic_zh, topic_en, templates = rng.choice(topics)
    qual_zh, qual_en = rng.choice(QUALIFIERS)
    act_zh, act_en = rng.choice(ACTIONS)
    pain_zh, pain_en = rng.choice(PAINS)
    user_zh, user_en = rng.choice(USERS)

    style = rng.random()
    if style < 0.6:
        title = f"{qual_zh}{topic_zh}{act_zh}（{qual_en.capitalize()} {topic_en}: {act_en}）"
    elif style < 0.85:
        title = f"{qual_zh}{topic_zh}{act_zh}"
    else:
        title = f"{qual_en.capitalize()} {topic_en} — {act_en} {topic_zh}"

    indicators = _indicators(rng, templates, rng.randint(2, 6))
    main_zh, main_en, main_unit, main_cmp, main_dom, main_int, main_target = indicators[0]
    sym = SYMBOLS[main_cmp]
    summary = (
        f"针对{topic_zh}{pain_zh}的问题，面向{user_zh}的需求，征集{topic_zh}{act_zh}方案，"
        f"{main_zh}{sym}{_number(main_target)}{main_unit}（国内现有水平 {_number(main_dom)}{main_unit}，"
        f"国际先进 {_number(main_int)}{main_unit}）。\n"
        f"The {topic_en} {pain_en}. We seek {act_en} for {user_en}, with {main_en} "
        f"{sym} {_number(main_target)} {main_unit}."
    )
    chokepoint = (
        f"{topic_zh}是{user_zh}的关键环节，目前{pain_zh}。"
        f"{rng.choice(['国外龙头企业占据', '进口产品占'])} {rng.randint(70, 98)}% 以上市场份额。\n"
        f"{topic_en.capitalize()} is a chokepoint: it {pain_en}."
    )

    primary = field
    extra = rng.sample([f for f in fields if f.pk != primary.pk], k=rng.choice([0, 0, 1, 1, 2]))
    chosen_fields = sorted([primary, *extra], key=lambda f: (f.position, f.code))
    names = " ".join(f"{f.name_zh} {f.name_en}" for f in chosen_fields)

    agency = rng.choice(agencies)
    editor = staff[agency.pk][Membership.Role.EDITOR]
    approver = staff[agency.pk][Membership.Role.APPROVER]
    opens, closes, published_at, closed_at = _dates(rng, status, now)
    horse_race = rng.random() < 0.2
    consortium = rng.random() < 0.7
    funding = int(10 ** rng.uniform(6, 8.2) / 10000) * 10000
    contact = _person(rng)
    challenge = Challenge(
        issuer=agency,
        title=title[:200],
        chokepoint=chokepoint,
        summary=summary,
        confidential_details=(
            f"现有供应商产线良率 {rng.randint(40, 85)}%，年需求量约 {rng.randint(1, 500)} 万件。"
            f" Current supplier line yield and annual demand; test reports attached on request."
        ),
        nda_text="投标方对保密信息负有五年保密义务。The bidder keeps the confidential details secret for five years.",
        government_funding=Decimal(funding),
        cofunding_ratio=Decimal(rng.choice(["0.50", "1.00", "1.00", "1.50", "2.00"])),
        funding_mode=Challenge.FundingMode.HORSE_RACE if horse_race else Challenge.FundingMode.SINGLE,
        max_winners=rng.randint(2, 3) if horse_race else 1,
        allowed_kinds=rng.choice([[], [], [], ["enterprise"], ["enterprise", "university", "institute"]]),
        allowed_sizes=rng.choice([[], [], [], ["medium", "small", "micro"]]),
        smes_only=rng.random() < 0.1,
        consortium_allowed=consortium,
        max_partners=rng.randint(1, 6) if consortium else 0,
        required_qualifications=rng.choice(["", "具有 ISO 9001 质量管理体系认证。ISO 9001 certified."]),
        bids_per_organisation=1,
        bidding_opens_at=opens,
        bidding_closes_at=closes,
        execution_months=rng.choice([12, 24, 24, 36, 36, 48]),
        publicity_days=rng.choice([5, 5, 7, 10]),
        ip_terms="知识产权归揭榜方所有，发榜方享有优先使用权。IP stays with the winner; the issuer may use it first.",
        contact_name=contact,
        contact_email=f"contact{index}@{EMAIL_DOMAIN}",
        contact_phone=f"0571-{rng.randint(80000000, 89999999)}",
        status=status,
        created_by=editor,
        submitted_by=None if status == Status.DRAFT else editor,
        approved_by=None if published_at is None else approver,
        cancel_reason="预算调整。Budget withdrawn." if status == Status.CANCELLED else "",
        published_at=published_at,
        bidding_closed_at=closed_at,
        opening_announced_at=closed_at + timedelta(days=1) if closed_at and status != Status.BIDDING_CLOSED else None,
    )
    # As Challenge.refresh_search_text: title, summary, field names (in the fields' order), lower-cased.
    challenge.search_text = f"{challenge.title}\n{challenge.summary}\n{names}".lower()

    indicator_rows = []
    n_main = rng.randint(1, min(2, len(indicators)))
    for position, (zh, en, unit, comparison, domestic, international, target) in enumerate(indicators):
        indicator_rows.append(
            Indicator(
                challenge=challenge,
                position=position,
                name=f"{zh}（{en}）",
                unit=unit,
                comparison=comparison,
                target_value=_decimal(target),
                measurement_method=MEASUREMENT,
                domestic_level=_decimal(domestic),
                international_level=_decimal(international),
                is_main=position < n_main,
            )
        )
    return challenge, indicator_rows, chosen_fields


def generate(count: int, *, seed: int = 42, batch_size: int = BATCH_SIZE, verbose: bool = True) -> int:
    """Add `count` challenges (with indicators and fields) to the generated data set."""
    if count <= 0:
        return 0
    started = time.perf_counter()
    agencies, _applicants, staff = ensure_organisations()
    fields = list(TechnicalField.objects.order_by("position", "code"))
    if not fields:
        raise SystemExit("No technical fields: run the migrations first (they seed the taxonomy).")
    offset = count_generated()
    rng = random.Random(seed + offset)  # noqa: S311 - reproducible fake data
    through = Challenge.fields.through
    now = timezone.now()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        challenges, indicators, links = [], [], []
        for i in range(offset + made, offset + made + size):
            challenge, rows, chosen = _challenge_rows(rng, i, fields, agencies, staff, now)
            challenges.append(challenge)
            indicators.extend(rows)
            links.extend(through(challenge_id=challenge.pk, technicalfield_id=f.pk) for f in chosen)
        with transaction.atomic():
            Challenge.objects.bulk_create(challenges, batch_size=batch_size)
            Indicator.objects.bulk_create(indicators, batch_size=batch_size)
            through.objects.bulk_create(links, batch_size=batch_size)
        made += size
        if verbose:
            print(f"  generated {made:>7,}/{count:,} challenges ({time.perf_counter() - started:.1f} s)", flush=True)
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # What autovacuum would do soon after: fresh statistics and visibility map, so plans
        # and index-only scans match a settled database rather than one just bulk-loaded.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE challenges_challenge, challenges_indicator, challenges_challenge_fields")
    return made


def ensure(count: int, *, seed: int = 42, verbose: bool = True) -> int:
    """Top the generated data set up to at least `count` challenges; returns how many exist."""
    existing = count_generated()
    if existing < count:
        if verbose:
            print(f"Generating {count - existing:,} challenges ({existing:,} already there)…", flush=True)
        generate(count - existing, seed=seed, verbose=verbose)
    return count_generated()


def reset(verbose: bool = True) -> None:
    """Delete everything the generator made (challenges cascade to indicators and field links)."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            deleted_challenges, _ = generated_challenges().delete()
            Membership.objects.filter(organisation__in=generated_organisations()).delete()
            deleted_orgs, _ = generated_organisations().delete()
            deleted_users, _ = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    except ProtectedError as exc:
        kinds = sorted({type(obj).__name__ for obj in exc.protected_objects})
        raise SystemExit(
            f"Cannot reset: other rows ({', '.join(kinds)}) point at generated ones. "
            "Use a dedicated benchmark database, e.g. `createdb -h 127.0.0.1 -U postgres bounty_bench`."
        ) from exc
    if verbose:
        print(
            f"Reset: deleted generated challenges, organisations and users "
            f"({deleted_challenges:,} + {deleted_orgs:,} + {deleted_users:,} rows with cascades) "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--challenges", type=int, default=10_000, help="generated challenges wanted (default 10000)")
    parser.add_argument("--reset", action="store_true", help="delete the previously generated rows first")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--actors",
        choices=["full", "short"],
        help="also make the load test's bidders, draft bids, review round and experts (bench/actors.py)",
    )
    args = parser.parse_args(argv)
    if args.reset:
        reset()
    started = time.perf_counter()
    total = ensure(args.challenges, seed=args.seed)
    print(
        f"{total:,} generated challenges in the {connection.vendor} database "
        f"({Indicator.objects.filter(challenge__in=generated_challenges()).count():,} indicators, "
        f"{generated_organisations().count():,} organisations); {time.perf_counter() - started:.1f} s"
    )
    if args.actors:
        from bench import actors

        actors.ensure(actors.FULL if args.actors == "full" else actors.SHORT)
    return 0


if __name__ == "__main__":
    sys.exit(main())

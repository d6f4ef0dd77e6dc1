"""Conflicts of interest (回避) and expertise affinity, computed for a whole round at once."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Assignment, Exclusion, ExpertProfile, ReviewItem, ReviewRound

FIELD_WEIGHT = 10  # one shared technical field counts as much as ten shared keywords


def keys(text: str) -> set[str]:
    """Language-neutral matching keys: latin words and Chinese character bigrams."""
    text = (text or "").lower()
    words = set(re.findall(r"[a-z][a-z0-9\-]{2,}", text))
    han = re.findall(r"[\u4e00-\u9fff]+", text)
    bigrams = {run[i : i + 2] for run in han for i in range(len(run) - 1)} | {run for run in han if len(run) == 1}
    return words | bigrams


@dataclass
class Pool:
    experts: list[ExpertProfile]
    fields: dict[int, set[int]]
    keywords: dict[int, set[str]]
    load: dict[int, int]


def load_pool(round: ReviewRound) -> Pool:
    """Active experts with their fields, keywords and current open load, in four queries."""
    experts = list(
        ExpertProfile.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "affiliation")
        .prefetch_related("fields", "past_affiliations", "declared_conflicts", "unavailable")
        .order_by("pk")
    )
    load: dict[int, int] = defaultdict(int)
    for expert_id in Assignment.objects.filter(
        expert__in=experts, status__in=Assignment.LIVE_STATES - {Assignment.Status.SUBMITTED}
    ).values_list("expert_id", flat=True):
        load[expert_id] += 1
    return Pool(
        experts=experts,
        fields={e.pk: {f.pk for f in e.fields.all()} for e in experts},
        keywords={e.pk: set().union(*(keys(k) for k in e.keywords)) if e.keywords else set() for e in experts},
        load=load,
    )


def compute_exclusions(round: ReviewRound, items: list[ReviewItem], pool: Pool) -> list[Exclusion]:
    """Store every exclusion of the round with its reason (replacing computed ones; recusals stay).

    Indexed by organisation, so the cost grows with items × their organisations, not × experts.
    """
    today = timezone.localdate()
    window_start = today.year - settings.CONFLICT_WINDOW_YEARS
    end = timezone.localtime(round.hard_deadline).date() if round.hard_deadline else today
    issuer_id = round.challenge.issuer_id
    staff, declared, past = defaultdict(list), defaultdict(list), defaultdict(list)
    unavailable = []
    for expert in pool.experts:
        if expert.affiliation_id:
            staff[expert.affiliation_id].append(expert)
        for conflict in expert.declared_conflicts.all():
            if conflict.organisation_id:
                declared[conflict.organisation_id].append((expert, conflict))
        for old in expert.past_affiliations.all():
            if old.until_year >= window_start:
                past[old.organisation_id].append((expert, old))
        for gap in expert.unavailable.all():
            if gap.starts_on <= end and gap.ends_on >= today:
                unavailable.append((expert, f"{gap.starts_on} – {gap.ends_on}"))
    rows = []
    for item in items:
        orgs = set(item.organisation_ids)
        for org in orgs:
            rows += [
                Exclusion(item=item, expert=e, reason=Exclusion.Reason.SAME_ORGANISATION, detail=str(e.affiliation))
                for e in staff[org]
            ]
            rows += [
                Exclusion(
                    item=item,
                    expert=e,
                    reason=Exclusion.Reason.RECENT,
                    detail=_("%(org)s until %(year)s") % {"org": o.organisation_id, "year": o.until_year},
                )
                for e, o in past[org]
            ]
        rows += [
            Exclusion(item=item, expert=e, reason=Exclusion.Reason.ISSUER, detail=str(e.affiliation)) for e in staff[issuer_id]
        ]
        for org in orgs | {issuer_id}:
            rows += [
                Exclusion(item=item, expert=e, reason=Exclusion.Reason.DECLARED, detail=c.reason[:250]) for e, c in declared[org]
            ]
        rows += [Exclusion(item=item, expert=e, reason=Exclusion.Reason.UNAVAILABLE, detail=d) for e, d in unavailable]
    Exclusion.objects.filter(item__in=items).exclude(reason=Exclusion.Reason.RECUSED).delete()
    Exclusion.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return rows


def affinities(items: list[ReviewItem], pool: Pool, preferences: dict | None = None) -> dict[tuple[int, int], int]:
    """Positive affinities only, found through field and keyword indexes: {(item_id, expert_id): score}."""
    by_field, by_keyword = defaultdict(set), defaultdict(set)
    for expert_id, fields in pool.fields.items():
        for f in fields:
            by_field[f].add(expert_id)
    for expert_id, words in pool.keywords.items():
        for w in words:
            by_keyword[w].add(expert_id)
    scores = {}
    for item in items:
        counts = defaultdict(int)
        for f in item.field_ids:
            for e in by_field.get(f, ()):
                counts[e] += FIELD_WEIGHT
        for w in item.keywords:
            for e in by_keyword.get(w, ()):
                counts[e] += 1
        for e, score in counts.items():
            scores[(item.pk, e)] = score
    for (item_id, expert_id), bonus in (preferences or {}).items():
        scores[(item_id, expert_id)] = max(0, scores.get((item_id, expert_id), 0) + bonus)
    return {pair: score for pair, score in scores.items() if score > 0}


def affinity(item: ReviewItem, expert_id: int, pool: Pool, preference: int = 0) -> int:
    shared_fields = len(set(item.field_ids) & pool.fields[expert_id])
    shared_keywords = len(set(item.keywords) & pool.keywords[expert_id])
    return FIELD_WEIGHT * shared_fields + shared_keywords + preference

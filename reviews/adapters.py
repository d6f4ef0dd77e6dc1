"""How a bid revision is reviewed: what the engine needs, and what a (blind) reviewer reads."""

import re

from django.utils.translation import gettext as _

from submissions.models import BidAttachment, BidRevision

from . import items
from .matching import keys

IDENTITY_KEYS = ("lead", "partners", "team")


def redact(text: str, names: list[str]) -> str:
    """Replace every identifying name in free text, longest first, case-insensitively."""
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), _("[applicant]"), text, flags=re.IGNORECASE)
    return text


class BidRevisionAdapter:
    def describe(self, revision: BidRevision) -> items.Description:
        content, bid = revision.content, revision.bid
        partner_ids = [p["organisation"] for p in content.get("partners", []) if p.get("status") != "declined"]
        names = [content["lead"]["name"], *[p["name"] for p in content.get("partners", [])]]
        names += [person["name"] for person in content.get("team", [])]
        challenge = bid.challenge
        return items.Description(
            label=f"{content['title']} — {content['lead']['name']}",
            blind_label=_("Bid %(code)s") % {"code": str(bid.pk)[:8].upper()},
            organisation_ids=[content["lead"]["id"], *partner_ids],
            field_ids=list(challenge.fields.values_list("pk", flat=True)),
            keywords=sorted(keys(f"{challenge.title} {content['title']} {content['technical_approach']}"))[:300],
            identifying_names=names,
        )

    def content(self, revision: BidRevision, *, blind: bool) -> dict:
        content = dict(revision.content)
        if not blind:
            return content
        names = self.describe(revision).identifying_names
        for key in IDENTITY_KEYS:
            content.pop(key, None)
        content["team_size"] = len(revision.content.get("team", []))
        content["partner_count"] = len(revision.content.get("partners", []))
        for key in ("title", "technical_approach", "team_description", "prior_achievements"):
            content[key] = redact(content.get(key, ""), names)
        content["commitments"] = [{**c, "evidence": redact(c.get("evidence", ""), names)} for c in content["commitments"]]
        content["milestones"] = [
            {**m, "title": redact(m.get("title", ""), names), "deliverables": redact(m.get("deliverables", ""), names)}
            for m in content["milestones"]
        ]
        content["budget_lines"] = [
            {k: v for k, v in line.items() if k != "organisation_id"}
            | {"description": redact(line.get("description", ""), names)}
            for line in content["budget_lines"]
        ]
        content["attachments"] = [
            {**a, "name": _("Attachment %(n)s") % {"n": n} + _extension(a["name"])}
            for n, a in enumerate(content["attachments"], start=1)
        ]
        return content

    def attachments(self, revision: BidRevision) -> list[BidAttachment]:
        ids = [a["id"] for a in revision.content.get("attachments", [])]
        by_id = {a.pk: a for a in BidAttachment.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


items.register(BidRevision, BidRevisionAdapter())

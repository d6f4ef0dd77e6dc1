"""How the review engine reads a milestone delivery for acceptance (验收)."""

from django.utils.translation import gettext as _

from reviews import items
from reviews.matching import keys

from .models import Delivery


class DeliveryAdapter:
    def describe(self, delivery: Delivery) -> items.Description:
        milestone = delivery.milestone
        award = milestone.contract.award
        content = award.bid.current_revision.content if award.bid.current_revision_id else {}
        partners = [p["organisation"] for p in content.get("partners", []) if p.get("status") == "confirmed"]
        label = _("%(milestone)s of %(winner)s (delivery %(n)s)") % {
            "milestone": milestone.title,
            "winner": award.winner.name,
            "n": delivery.number,
        }
        return items.Description(
            label=label,
            blind_label=label,
            organisation_ids=[award.winner_id, *partners],
            field_ids=list(award.challenge.fields.values_list("pk", flat=True)),
            keywords=sorted(keys(f"{award.challenge.title} {milestone.title} {milestone.deliverables}"))[:300],
            identifying_names=[award.winner.name],
        )

    def content(self, delivery: Delivery, *, blind: bool) -> dict:
        milestone = delivery.milestone
        indicators = {i.pk: i for i in milestone.contract.award.challenge.indicators.all()}
        targets = {t.indicator_id: t.value for t in milestone.targets.all()}
        return {
            "milestone": milestone.title,
            "deliverables": milestone.deliverables,
            "report": delivery.report,
            "measurements": [
                {
                    "indicator": indicators[m.indicator_id].name,
                    "unit": indicators[m.indicator_id].unit,
                    "comparison": indicators[m.indicator_id].get_comparison_display(),
                    "target": str(targets.get(m.indicator_id, indicators[m.indicator_id].target_value)),
                    "measured": str(m.value),
                    "met": indicators[m.indicator_id].is_met_by(m.value),
                }
                for m in delivery.measurements.all()
            ],
            "attachments": [{"name": f.name, "content_type": f.content_type, "size": f.size} for f in delivery.files.all()],
        }

    def attachments(self, delivery: Delivery) -> list:
        return list(delivery.files.all())


items.register(Delivery, DeliveryAdapter())

from decimal import Decimal

from django.db import migrations

TEMPLATES = {
    "Standard technical review 标准技术评审": [
        ("Technical merit 技术先进性", Decimal("30"), True),
        ("Feasibility 可行性", Decimal("25"), True),
        ("Team 团队能力", Decimal("15"), False),
        ("Budget 预算合理性", Decimal("10"), False),
        ("Indicator commitment 指标承诺", Decimal("20"), True),
    ],
    "Milestone acceptance 里程碑验收": [
        ("Indicators met 指标完成度", Decimal("50"), True),
        ("Deliverables quality 成果质量", Decimal("30"), True),
        ("Use of funds 经费使用", Decimal("20"), True),
    ],
}


def add_templates(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    Criterion = apps.get_model("reviews", "Criterion")
    for name, criteria in TEMPLATES.items():
        rubric, created = Rubric.objects.get_or_create(name=name, defaults={"is_template": True})
        if created:
            for position, (label, weight, comment) in enumerate(criteria):
                Criterion.objects.create(
                    rubric=rubric, position=position, name=label, weight=weight, comment_required=comment
                )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]

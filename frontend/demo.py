"""The demo story behind `seed_demo`: experts, and challenges at several stages, built through
the same services users go through. Each step checks whether it was done already."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import Challenge, TechnicalField
from reviews.models import ExpertProfile
from reviews.services import expert_save
from submissions import services as bid_services
from submissions.models import Bid

EXPERT_FIELDS = [
    ("integrated-circuits", ["碳化硅", "SiC", "功率器件", "外延"]),
    ("integrated-circuits", ["光刻胶", "photoresist", "lithography"]),
    ("advanced-materials", ["碳化硅", "晶体生长", "crystal growth"]),
    ("advanced-materials", ["复合材料", "composites"]),
    ("industrial-software", ["EDA", "仿真", "simulation"]),
    ("industrial-software", ["CAE", "求解器", "solver"]),
    ("new-energy", ["固态电池", "solid-state battery", "隔膜"]),
    ("high-end-equipment", ["数控机床", "CNC", "精密加工"]),
    ("biomedicine", ["抗体", "antibody", "生物药"]),
    ("artificial-intelligence", ["大模型", "LLM", "机器视觉"]),
]

CHALLENGES = [
    {
        "title": "8英寸碳化硅衬底 8-inch silicon carbide substrates",
        "field": "integrated-circuits",
        "summary": "研制微管密度低于0.1/cm²的8英寸导电型碳化硅衬底。Develop 8-inch conductive SiC substrates with micropipe density below 0.1 per cm².",
        "chokepoint": "车规级功率器件依赖进口衬底。Automotive power devices depend on imported substrates.",
        "funding": Decimal("30000000"),
        "days_left": 20,
        "indicators": [
            ("微管密度 Micropipe density", "/cm²", "lte", "0.1", "1.0", "0.2"),
            ("衬底直径 Diameter", "mm", "gte", "200", "150", "200"),
        ],
    },
    {
        "title": "ArF光刻胶 ArF photoresist for 28 nm",
        "field": "integrated-circuits",
        "summary": "研制满足28纳米工艺的ArF干法光刻胶并通过产线验证。An ArF dry photoresist qualified on a 28 nm line.",
        "chokepoint": "高端光刻胶国产化率不足5%。Less than 5% of high-end photoresist is made domestically.",
        "funding": Decimal("50000000"),
        "days_left": 45,
        "indicators": [("分辨率 Resolution", "nm", "lte", "28", "65", "22")],
    },
    {
        "title": "国产CAE结构求解器 Domestic CAE structural solver",
        "field": "industrial-software",
        "summary": "开发支持千万自由度的结构有限元求解器。A finite-element structural solver for ten million degrees of freedom.",
        "chokepoint": "核心求解器依赖国外商业软件。Core solvers come from foreign commercial software.",
        "funding": Decimal("20000000"),
        "days_left": 60,
        "indicators": [("求解规模 Problem size", "DOF", "gte", "10000000", "2000000", "50000000")],
    },
]


def build(*, orgs, people, experts, operator) -> None:
    _experts(experts, orgs, operator)
    editor, approver = people["editor@demo.cn"], people["approver@demo.cn"]
    for spec in CHALLENGES:
        challenge = Challenge.objects.filter(title=spec["title"]).first() or _challenge(
            spec, orgs["agency"], editor, approver
        )
        if spec is CHALLENGES[0]:
            _bid(challenge, orgs["enterprise"], people["admin@huaxin.demo.cn"])


def _experts(experts, orgs, operator) -> None:
    affiliations = [orgs["university"], orgs["institute"], None]
    for n, user in enumerate(experts):
        if ExpertProfile.objects.filter(user=user).exists():
            continue
        code, keywords = EXPERT_FIELDS[n % len(EXPERT_FIELDS)]
        expert_save(
            actor=operator,
            user=user,
            data={
                "keywords": keywords,
                "affiliation": affiliations[n % 3],
                "title": "Professor" if n % 2 else "Senior engineer",
            },
            fields=[TechnicalField.objects.get(code=code)],
        )


def _challenge(spec, agency, editor, approver) -> Challenge:
    now = timezone.now()
    challenge = challenge_services.challenge_create(
        actor=editor,
        issuer=agency,
        data={
            "title": spec["title"],
            "summary": spec["summary"],
            "chokepoint": spec["chokepoint"],
            "confidential_details": "产线良率数据见附件。Line yield data are in the confidential annex.",
            "nda_text": "揭榜方对保密内容承担五年保密义务。The bidder keeps the confidential details secret for five years.",
            "government_funding": spec["funding"],
            "bidding_opens_at": now - timedelta(days=5),
            "bidding_closes_at": now + timedelta(days=spec["days_left"]),
            "contact_name": "王编辑",
            "contact_email": "editor@demo.cn",
        },
        fields=[TechnicalField.objects.get(code=spec["field"])],
        indicators=[
            {
                "name": name,
                "unit": unit,
                "comparison": comparison,
                "target_value": Decimal(target),
                "domestic_level": Decimal(domestic),
                "international_level": Decimal(international),
                "measurement_method": "第三方检测 Third-party test",
            }
            for name, unit, comparison, target, domestic, international in spec["indicators"]
        ],
    )
    challenge_services.challenge_submit(challenge=challenge, actor=editor)
    return challenge_services.challenge_approve(challenge=challenge, actor=approver)


def _bid(challenge, lead, admin) -> None:
    if Bid.objects.filter(challenge=challenge, lead=lead).exists():
        return
    bid = bid_services.bid_create(
        challenge=challenge, actor=admin, lead=lead, title="华芯8英寸碳化硅衬底方案 Huaxin 8-inch SiC plan"
    )
    bid_services.bid_update(
        bid=bid,
        actor=admin,
        data={
            "technical_approach": "物理气相传输法长晶，新型籽晶托。PVT growth with a new seed holder.",
            "requested_funding": Decimal("20000000"),
            "own_funding": Decimal("20000000"),
        },
    )
    bid_services.commitments_set(
        bid=bid,
        actor=admin,
        commitments=[
            {"indicator": i.pk, "value": i.target_value, "evidence": "第三方检测报告"}
            for i in challenge.indicators.all()
        ],
    )
    bid_services.milestones_set(
        bid=bid,
        actor=admin,
        milestones=[
            {"title": "中期检查 Mid-term check", "due_month": 12, "tranche_percent": Decimal("60")},
            {"title": "最终验收 Final acceptance", "due_month": 30, "tranche_percent": Decimal("40")},
        ],
    )
    bid_services.pledge_sign(bid=bid, actor=admin)
    bid_services.bid_submit(bid=bid, actor=admin)

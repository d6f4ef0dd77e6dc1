"""The demo story behind `seed_demo`: experts, and challenges at every stage, built through
the same services users go through. Each step checks whether it was done already.

A management command has no eager Celery, so the review tasks run here as plain functions:
items, formal checks, then the assignment and invitations (`after_checks`), and aggregation."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from awards import services as award_services
from awards.models import Award, Contract, Disbursement
from challenges import services as challenge_services
from challenges.models import Challenge, TechnicalField
from reviews import tasks as review_tasks
from reviews.models import Assignment, ExpertProfile, ReviewRound
from reviews.services import assignment_accept, expert_save, review_save
from reviews.services.rounds import expert_round, formal_check_item, items_create
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


# Challenges further along, oldest stage first (each decision is made before the next one opens).
# "scores": what the experts give each applicant's bid, so the ranking (and the winner) is fixed.
STAGED = [
    {
        "stage": "completed",
        "title": "车规级IGBT模块 Automotive-grade IGBT modules",
        "field": "integrated-circuits",
        "summary": "研制1200V/800A车规级IGBT模块并完成整车验证。A 1200 V / 800 A automotive IGBT module proven in vehicles.",
        "chokepoint": "新能源汽车主驱模块长期依赖进口。Traction modules for electric vehicles were imported.",
        "funding": Decimal("15000000"),
        "days_left": 30,
        "indicators": [
            ("阻断电压 Blocking voltage", "V", "gte", "1200", "900", "1700"),
            ("结温 Junction temperature", "°C", "gte", "175", "150", "175"),
        ],
        "bidders": ["enterprise", "institute"],
        "scores": {"enterprise": 9, "institute": 7},
        "measured": ["1250", "175"],
    },
    {
        "stage": "in_execution",
        "title": "固态电池电解质 Solid-state battery electrolyte",
        "field": "new-energy",
        "summary": "研制室温离子电导率≥10 mS/cm的硫化物固态电解质。A sulphide solid electrolyte with at least 10 mS/cm at room temperature.",
        "chokepoint": "高性能固态电解质材料尚无国产量产。No domestic mass production of high-performance solid electrolytes.",
        "funding": Decimal("25000000"),
        "days_left": 30,
        "indicators": [("离子电导率 Ionic conductivity", "mS/cm", "gte", "10", "3", "12")],
        "bidders": ["enterprise", "university", "institute"],
        "scores": {"university": 9, "enterprise": 7, "institute": 6},
    },
    {
        "stage": "in_publicity",
        "title": "高精度五轴数控系统 High-precision five-axis CNC controller",
        "field": "high-end-equipment",
        "summary": "研制插补周期≤0.5 ms的五轴联动数控系统。A five-axis CNC controller with an interpolation cycle of 0.5 ms or less.",
        "chokepoint": "高档数控系统国产化率不足10%。Less than 10% of high-end CNC controllers are made domestically.",
        "funding": Decimal("18000000"),
        "days_left": 30,
        "indicators": [("插补周期 Interpolation cycle", "ms", "lte", "0.5", "1", "0.25")],
        "bidders": ["enterprise", "university"],
        "scores": {"enterprise": 8, "university": 7},
        "objector": "university",
    },
    {
        "stage": "under_review",
        "title": "国产EDA模拟仿真器 Domestic analogue circuit simulator for EDA",
        "field": "industrial-software",
        "summary": "开发支持先进工艺的SPICE级模拟电路仿真器。A SPICE-class analogue simulator for advanced process nodes.",
        "chokepoint": "模拟仿真工具几乎全部来自国外。Analogue simulation tools come almost entirely from abroad.",
        "funding": Decimal("12000000"),
        "days_left": 30,
        "indicators": [("仿真速度 Simulation speed-up", "x", "gte", "3", "1", "5")],
        "bidders": ["enterprise", "university", "institute"],
        "scores": {"enterprise": 8, "university": 8, "institute": 7},
    },
]

APPLICANT_ADMINS = {
    "enterprise": "admin@huaxin.demo.cn",
    "university": "admin@donghai.demo.cn",
    "institute": "admin@iam.demo.cn",
}
BID_TITLES = {
    "enterprise": "华芯产业化方案 Huaxin industrialisation plan",
    "university": "东海理工产学研方案 Donghai university–industry plan",
    "institute": "先进材料研究院方案 Institute of Advanced Materials plan",
}
BID_APPROACHES = {
    "enterprise": "依托现有产线中试放大，联合下游用户验证。Pilot scale-up on our existing line, validated with downstream users.",
    "university": "基于十年基础研究成果，联合企业工程化。Ten years of basic research, engineered with an industrial partner.",
    "institute": "材料—工艺—器件协同设计，自建测试平台。Co-designed materials, process and devices on our own test bench.",
}
REVIEW_COMMENTS = ["技术路线清晰，指标有依据。A clear technical route with evidence for the targets."]


def build(*, orgs, people, experts, operator) -> None:
    _experts(experts, orgs, operator)
    editor, approver = people["editor@demo.cn"], people["approver@demo.cn"]
    for spec in CHALLENGES:
        challenge = Challenge.objects.filter(title=spec["title"]).first() or _challenge(spec, orgs["agency"], editor, approver)
        if spec is CHALLENGES[0]:
            _bid(challenge, orgs["enterprise"], people["admin@huaxin.demo.cn"])
    for spec in STAGED:
        if not Challenge.objects.filter(title=spec["title"]).exists():
            _staged(spec, orgs=orgs, people=people, operator=operator)


def _staged(spec, *, orgs, people, operator) -> None:
    """One challenge taken through bidding, review and (for the later stages) award and execution."""
    editor, approver = people["editor@demo.cn"], people["approver@demo.cn"]
    challenge = _challenge(spec, orgs["agency"], editor, approver)
    for key in spec["bidders"]:
        _plan_bid(challenge, orgs[key], people[APPLICANT_ADMINS[key]], key, spec["funding"])
    round = _start_review(challenge)
    scores = {orgs[key].pk: value for key, value in spec["scores"].items()}
    if spec["stage"] == "under_review":
        _score(round, scores, limit=3)  # some reviews in, the rest still pending
        return
    _score(round, scores)
    challenge.refresh_from_db()
    if spec["stage"] == "in_publicity":
        decision = award_services.decision_propose(challenge=challenge, actor=approver, bids=[_first(challenge)])
        objector = spec["objector"]
        award_services.objection_file(
            award=decision.awards.get(),
            actor=people[APPLICANT_ADMINS[objector]],
            organisation=orgs[objector],
            real_name="刘教授 Liu Yang",
            contact=APPLICANT_ADMINS[objector],
            grounds="中标方案的插补周期测试数据不足以证明指标。"
            "The winner's interpolation-cycle test data do not prove the target.",
        )
        return
    # Publicity already over: the decision dates back by the publicity period.
    publicity = timedelta(days=challenge.publicity_days, hours=1)
    decision = award_services.decision_propose(
        challenge=challenge, actor=approver, bids=[_first(challenge)], now=timezone.now() - publicity
    )
    award_services.finalise_due_publicity(timezone.now())
    award = Award.objects.get(decision=decision)
    winner_admin = people[APPLICANT_ADMINS[next(k for k in APPLICANT_ADMINS if orgs[k].pk == award.winner_id)]]
    if spec["stage"] == "in_execution":
        _execution(award, approver, winner_admin, operator)
    else:
        _completion(award, spec, approver, winner_admin, operator)


def _start_review(challenge) -> ReviewRound:
    """Bidding closes; the round's tasks run inline: items, formal checks, assignment, invitations."""
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=now - timedelta(minutes=5))
    challenge_services.close_due_bidding(now)
    challenge.refresh_from_db()
    round = expert_round(challenge)
    ReviewRound.objects.filter(pk=round.pk, status=ReviewRound.Status.PLANNED).update(
        status=ReviewRound.Status.CHECKING, progress={"step": "checking", "at": now.isoformat()}
    )
    items = items_create(round)
    challenge_services.challenge_start_review(challenge=challenge)
    for item in items:
        formal_check_item(item.pk)
    review_tasks.after_checks.run(round.pk)
    round.refresh_from_db()
    return round


def _score(round, scores_by_org: dict, limit: int | None = None, default: int = 7) -> None:
    """Invited experts accept and submit; with `limit`, only that many submit, one more accepts only."""
    criteria = list(round.rubric.criteria.all())
    invited = Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED).select_related(
        "expert__user", "item"
    )
    for n, assignment in enumerate(invited.order_by("pk")):
        if limit is not None and n > limit:
            break
        user = assignment.expert.user
        assignment_accept(assignment=assignment, actor=user)
        if limit is not None and n == limit:
            break  # accepted, review still being written
        value = next((v for org, v in scores_by_org.items() if org in assignment.item.organisation_ids), default)
        review_save(
            assignment=assignment,
            actor=user,
            scores={c.pk: {"value": value, "comment": REVIEW_COMMENTS[0]} for c in criteria},
            comment=REVIEW_COMMENTS[0],
            submit=True,
        )
    if limit is None:
        review_tasks.aggregate_if_complete.run(round.pk)


def _first(challenge) -> Bid:
    return award_services.revision_of(award_services.ranking_for(challenge)[0]).bid


def _sign(award, approver, winner_admin, milestones, first_on_signing: bool) -> Contract:
    contract = award_services.contract_update(
        contract=award.contract, actor=approver, milestones=milestones, first_tranche_on_signing=first_on_signing
    )
    award_services.contract_sign(contract=contract, actor=approver, version=contract.version)
    return award_services.contract_sign(contract=contract, actor=winner_admin, version=contract.version)


def _tranches(amount: Decimal, shares: list[int]) -> list[Decimal]:
    parts = [(amount * share / 100).quantize(Decimal("0.01")) for share in shares]
    parts[-1] += amount - sum(parts)
    return parts


def _pay(award, approver, operator) -> None:
    for row in Disbursement.objects.filter(award=award, status=Disbursement.Status.PENDING).order_by("pk"):
        award_services.disbursement_approve(disbursement=row, actor=approver)
        award_services.disbursement_mark_paid(
            disbursement=row, actor=operator, reference=f"DEMO-BANK-{timezone.localdate():%Y%m%d}-{row.pk:04d}"
        )


def _execution(award, approver, winner_admin, operator) -> None:
    """Contract signed by both sides, the first tranche paid, the mid-term check due in three weeks."""
    today = timezone.localdate()
    first, mid, last = _tranches(award.amount, [30, 40, 30])
    _sign(
        award,
        approver,
        winner_admin,
        [
            {"title": "合同签订首付款 First tranche on signing", "due_date": today, "tranche_amount": first},
            {
                "title": "中期检查 Mid-term check",
                "due_date": today + timedelta(days=21),
                "tranche_amount": mid,
                "deliverables": "小批量样品及第三方检测报告。Pilot samples with a third-party test report.",
            },
            {
                "title": "最终验收 Final acceptance",
                "due_date": today + timedelta(days=540),
                "tranche_amount": last,
                "deliverables": "量产线及全部指标检测报告。A production line and test reports for every indicator.",
            },
        ],
        first_on_signing=True,
    )
    _pay(award, approver, operator)


def _completion(award, spec, approver, winner_admin, operator) -> None:
    """Every milestone delivered, accepted by an expert panel, and paid."""
    today = timezone.localdate()
    halves = _tranches(award.amount, [50, 50])
    contract = _sign(
        award,
        approver,
        winner_admin,
        [
            {"title": "样品验证 Sample validation", "due_date": today, "tranche_amount": halves[0]},
            {"title": "整车验证 In-vehicle validation", "due_date": today, "tranche_amount": halves[1]},
        ],
        first_on_signing=False,
    )
    indicators = list(award.challenge.indicators.order_by("position", "pk"))
    measured = {i.pk: Decimal(v) for i, v in zip(indicators, spec["measured"], strict=True)}
    for milestone in contract.milestones.order_by("position"):
        award_services.delivery_submit(
            milestone=milestone,
            actor=winner_admin,
            report="交付样品及第三方检测报告。Samples and the third-party test report delivered.",
            measurements=measured,
        )
        milestone.refresh_from_db()
        review_tasks.after_checks.run(milestone.acceptance_round_id)
        _score(milestone.acceptance_round, {}, default=8)
        award_services.acceptance_decide(
            milestone=milestone, actor=approver, outcome="pass", reason="专家组验收通过。The expert panel accepts it."
        )
        _pay(award, approver, operator)


def _plan_bid(challenge, lead, admin, key: str, funding: Decimal) -> Bid:
    bid = bid_services.bid_create(challenge=challenge, actor=admin, lead=lead, title=BID_TITLES[key])
    bid_services.bid_update(
        bid=bid,
        actor=admin,
        data={
            "technical_approach": BID_APPROACHES[key],
            "requested_funding": (funding * Decimal("0.6")).quantize(Decimal("1")),
            "own_funding": (funding * Decimal("0.6")).quantize(Decimal("1")),
        },
    )
    bid_services.commitments_set(
        bid=bid,
        actor=admin,
        commitments=[
            {"indicator": i.pk, "value": i.target_value, "evidence": "第三方检测报告 Third-party test report"}
            for i in challenge.indicators.all()
        ],
    )
    bid_services.milestones_set(
        bid=bid,
        actor=admin,
        milestones=[
            {"title": "中期检查 Mid-term check", "due_month": 12, "tranche_percent": Decimal("50")},
            {"title": "最终验收 Final acceptance", "due_month": 24, "tranche_percent": Decimal("50")},
        ],
    )
    bid_services.pledge_sign(bid=bid, actor=admin)
    return bid_services.bid_submit(bid=bid, actor=admin)


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
            {"indicator": i.pk, "value": i.target_value, "evidence": "第三方检测报告"} for i in challenge.indicators.all()
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

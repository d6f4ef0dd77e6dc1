"""Bid pages: start a bid, edit it section by section, submit it, read it, and the lists around it.

The editor is one page of independent sections, each a form posting to its own URL, so saving
one never loses another. With htmx a section saves as the user goes and answers with its own
re-rendered part plus the checklist; without JavaScript it is a normal post and redirect.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Membership, Organisation
from accounts.rules import roles_by_org
from challenges import rules as challenge_rules
from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from core.files import download_response
from reviews.selectors import feedback_for
from submissions import selectors, services
from submissions.models import Bid, BidAttachment, BudgetLine, Partner

from .. import bid_forms as f
from .base import errors_into

TEAM_FIELDS = ["name", "role", "title", "expertise", "is_leader"]
BIDDING_NOT_CLOSED = {Challenge.Status.DRAFT, Challenge.Status.PENDING_APPROVAL, Challenge.Status.PUBLISHED}


# Access -----------------------------------------------------------------------------------------


def _bid(user, pk) -> Bid:
    """The access helper with everything the editor and detail pages show: 404 for a rival."""
    return get_object_or_404(selectors.with_detail_data(selectors.visible_bids(user)), pk=pk)


def _applicant_org_ids(user) -> list[int]:
    return [org for org, role in roles_by_org(user).items() if role in Membership.APPLICANT_ROLES]


def _insider(user, bid: Bid) -> bool:
    """A member of the lead or of a partner: reads the working copy rather than the submitted revision."""
    return bool(set(roles_by_org(user)) & {bid.lead_id, *(p.organisation_id for p in bid.partners.all())})


def _editable(bid: Bid) -> bool:
    return bid.is_open and bid.challenge.is_open_for_bids()


# Starting a bid ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bid_create(request, challenge_pk):
    challenge = challenge_selectors.challenge_for(request.user, challenge_pk)
    organisations = Organisation.objects.filter(pk__in=_applicant_org_ids(request.user)).exclude(kind=Organisation.Kind.AGENCY)
    # Without an applicant organisation the page explains how to get one; starting a bid is refused.
    if request.method == "POST" and not organisations.exists():
        raise PermissionDenied
    form = f.BidCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            bid = services.bid_create(challenge=challenge, actor=request.user, **form.cleaned_data)
        if form.is_valid():
            messages.success(request, _("Bid started. Fill in each section; every change is saved as a draft."))
            return redirect("frontend:bid_edit", bid.pk)
    context = {
        "challenge": challenge,
        "form": form,
        "has_organisation": organisations.exists(),
        "open": challenge.is_open_for_bids(),
    }
    return render(request, "frontend/bids/create.html", context, status=400 if form.errors else 200)


# The editor -------------------------------------------------------------------------------------


def _save_budget(bid, actor, form) -> None:
    # One section, two services: the totals and the lines stand or fall together.
    with transaction.atomic():
        services.bid_update(bid=bid, actor=actor, data=form.cleaned_data)
        services.budget_set(bid=bid, actor=actor, lines=form.row_data())


def _save_file(bid, actor, form) -> None:
    try:
        data = form.cleaned_data
        services.attachment_add(bid=bid, actor=actor, upload=data["file"], description=data["description"])
    except ValidationError as exc:  # the file's own problem: show it next to the file field
        raise ValidationError({"file": exc.messages}) from exc


def _save_partner(bid, actor, form) -> None:
    data = form.cleaned_data
    services.partner_invite(
        bid=bid,
        actor=actor,
        organisation=form.organisation,
        work_split=data["work_split"],
        budget_share=data["budget_share"],
    )


@dataclass(frozen=True)
class Section:
    title: str
    form: type
    save: Callable


SECTIONS = {
    "approach": Section(
        gettext_lazy("Technical approach"),
        f.ApproachForm,
        lambda bid, actor, form: services.bid_update(bid=bid, actor=actor, data=form.cleaned_data),
    ),
    "indicators": Section(
        gettext_lazy("Indicator commitments"),
        f.CommitmentsForm,
        lambda bid, actor, form: services.commitments_set(bid=bid, actor=actor, commitments=form.row_data()),
    ),
    "team": Section(
        gettext_lazy("Team and key people"),
        f.TeamForm,
        lambda bid, actor, form: services.team_set(bid=bid, actor=actor, people=form.row_data()),
    ),
    "budget": Section(gettext_lazy("Budget"), f.BudgetForm, _save_budget),
    "milestones": Section(
        gettext_lazy("Milestones and tranches"),
        f.MilestonesForm,
        lambda bid, actor, form: services.milestones_set(bid=bid, actor=actor, milestones=form.row_data()),
    ),
    "partners": Section(gettext_lazy("Consortium partners"), f.PartnerInviteForm, _save_partner),
    "files": Section(gettext_lazy("Files"), f.AttachmentForm, _save_file),
    "pledge": Section(
        gettext_lazy("Integrity pledge"),
        f.PledgeForm,
        lambda bid, actor, form: services.pledge_sign(bid=bid, actor=actor),
    ),
}


# Where to fix what the checklist reports; rules without a section (verification, limits) link nowhere.
PROBLEM_SECTIONS = {
    "indicators_missing": "indicators",
    "no_funding_requested": "budget",
    "funding_too_high": "budget",
    "cofunding_short": "budget",
    "no_milestones": "milestones",
    "tranches_not_100": "milestones",
    "milestone_too_late": "milestones",
    "no_pledge": "pledge",
    "consortium_not_allowed": "partners",
    "too_many_partners": "partners",
    "partner_unconfirmed": "partners",
    "partner_unverified": "partners",
}


def _checklist(bid: Bid) -> list[dict]:
    return [{"code": p.code, "message": p.message, "section": PROBLEM_SECTIONS.get(p.code)} for p in services.bid_checklist(bid)]


def _section_context(request, bid: Bid, name: str, form=None, editable: bool | None = None) -> dict:
    editable = _editable(bid) if editable is None else editable
    form = form or SECTIONS[name].form.for_bid(bid)
    if not editable:
        f.freeze(form)
    return {
        "bid": bid,
        "name": name,
        "section": SECTIONS[name],
        "form": form,
        "invalid": form.is_bound and not form.is_valid(),
        "editable": editable,
        "can_invite": editable and request.user.has_perm("submissions.invite_partner", bid),
        "template": f"frontend/bids/sections/{name}.html",
    }


def _editor(request, bid: Bid, *, bound: dict | None = None, submit_form=None, status: int = 200):
    editable = _editable(bid)
    bound = bound or {}
    sections = [_section_context(request, bid, name, bound.get(name), editable) for name in SECTIONS]
    context = {
        "bid": bid,
        "sections": sections,
        "editable": editable,
        "problems": _checklist(bid),
        "submit_form": submit_form,
        "can_withdraw": bid.status == Bid.Status.SUBMITTED and request.user.has_perm("submissions.withdraw_bid", bid),
        "now": timezone.now(),
    }
    return render(request, "frontend/bids/edit.html", context, status=status)


@login_required
def bid_edit(request, pk):
    bid = _bid(request.user, pk)
    if not request.user.has_perm("submissions.edit_bid", bid):
        return redirect("frontend:bid_detail", bid.pk)
    return _editor(request, bid)


def _section_answer(request, bid: Bid, name: str, form=None, error: str | None = None):
    """After a section post: its re-rendered part for htmx, else the page (redirect when saved)."""
    saved = error is None and (form is None or form.is_valid())
    if not request.htmx:
        if error:
            messages.error(request, error)
        if saved:
            messages.success(request, _("%(section)s saved.") % {"section": SECTIONS[name].title})
        if saved or error:
            return redirect(f"{reverse('frontend:bid_edit', args=[bid.pk])}#section-{name}")
        return _editor(request, bid, bound={name: form}, status=400)
    if saved:
        bid = _bid(request.user, bid.pk)  # the rows as saved, and a fresh blank row
    context = _section_context(request, bid, name, None if saved else form)
    context.update(saved_at=timezone.now() if saved else None, error=error)
    return render(request, "frontend/bids/section_response.html", {"s": context, "problems": _checklist(bid)})


@login_required
@require_POST
def bid_section(request, pk, section):
    if section not in SECTIONS:
        raise Http404
    bid = _bid(request.user, pk)
    if not request.user.has_perm("submissions.edit_bid", bid):
        raise PermissionDenied
    form = SECTIONS[section].form.for_bid(bid, request.POST, request.FILES)
    if form.is_valid():
        with errors_into(form):
            SECTIONS[section].save(bid, request.user, form)
    return _section_answer(request, bid, section, form)


def _remove(request, pk, section: str, remove: Callable[[Bid], None]) -> HttpResponse:
    bid = _bid(request.user, pk)
    form = f.ActionForm({})
    with errors_into(form):
        remove(bid)
    error = " ".join(form.non_field_errors()) or None
    return _section_answer(request, bid, section, error=error)


@login_required
@require_POST
def partner_remove(request, pk, partner_pk):
    def remove(bid):
        partner = get_object_or_404(Partner.objects.filter(bid=bid), pk=partner_pk)
        services.partner_remove(partner=partner, actor=request.user)

    return _remove(request, pk, "partners", remove)


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    def remove(bid):
        attachment = get_object_or_404(BidAttachment.objects.filter(bid=bid, removed_at__isnull=True), pk=attachment_pk)
        services.attachment_remove(attachment=attachment, actor=request.user)

    return _remove(request, pk, "files", remove)


@login_required
@require_POST
def bid_submit(request, pk):
    bid = _bid(request.user, pk)
    before = bid.current_revision_id
    form = f.ActionForm(request.POST)
    with errors_into(form):
        revision = services.bid_submit(bid=bid, actor=request.user)
    if not form.is_valid():
        return _editor(request, bid, submit_form=form, status=400)
    if revision.pk == before:
        messages.info(request, _("Nothing changed since revision %(n)s; it stays the one on record.") % {"n": revision.number})
    else:
        messages.success(request, _("Bid submitted as revision %(n)s.") % {"n": revision.number})
    return redirect("frontend:bid_detail", bid.pk)


@login_required
@require_POST
def bid_withdraw(request, pk):
    bid = _bid(request.user, pk)
    form = f.ActionForm(request.POST)
    with errors_into(form):
        services.bid_withdraw(bid=bid, actor=request.user)
    if not form.is_valid():
        return _editor(request, bid, submit_form=form, status=400)
    messages.success(request, _("Bid withdrawn. It will not be reviewed unless you submit it again before the deadline."))
    return redirect("frontend:bid_edit", bid.pk)


# Reading a bid ----------------------------------------------------------------------------------


def _org_names(bid: Bid) -> dict[int, str]:
    return {bid.lead_id: bid.lead.name, **{p.organisation_id: p.organisation.name for p in bid.partners.all()}}


def _working_copy(user, bid: Bid) -> dict:
    names = _org_names(bid)
    return {
        "title": bid.title,
        "technical_approach": bid.technical_approach,
        "team_description": bid.team_description,
        "prior_achievements": bid.prior_achievements,
        "requested_funding": bid.requested_funding,
        "own_funding": bid.own_funding,
        "pledged_at": bid.integrity_pledged_at,
        "partners": [
            {
                "name": p.organisation.name,
                "status": p.get_status_display(),
                "work_split": p.work_split,
                "budget_share": p.budget_share,
            }
            for p in bid.partners.all()
        ],
        "commitments": {c.indicator_id: {"value": c.value, "evidence": c.evidence} for c in bid.commitments.all()},
        "team": [
            {**model_to_dict(p, TEAM_FIELDS), "organisation_name": names.get(p.organisation_id, "")} for p in bid.team.all()
        ],
        "budget_lines": [
            {
                "organisation_name": line.organisation.name,
                "category": line.get_category_display(),
                "description": line.description,
                "government_amount": line.government_amount,
                "own_amount": line.own_amount,
            }
            for line in selectors.budget_lines_for(user, bid)
        ],
        "milestones": bid.milestones.all(),
        "attachments": bid.attachments.all(),
    }


def _revision_copy(user, bid: Bid, content: dict) -> dict:
    """A submitted revision, shaped like the working copy. Partners still see only their own lines."""
    names = {**_org_names(bid), **{p["organisation"]: p["name"] for p in content["partners"]}}
    mine = None if user.has_perm("submissions.view_all_budget_lines", bid) else set(roles_by_org(user))
    statuses, categories = dict(Partner.Status.choices), dict(BudgetLine.Category.choices)
    return {
        **{k: content[k] for k in ("title", "technical_approach", "team_description", "prior_achievements")},
        "requested_funding": content["requested_funding"],
        "own_funding": content["own_funding"],
        "pledged_at": parse_datetime(content["integrity_pledged_at"] or ""),
        "partners": [{**p, "status": statuses.get(p["status"], p["status"])} for p in content["partners"]],
        "commitments": {c["indicator"]: c for c in content["commitments"]},
        "team": [{**p, "organisation_name": names.get(p["organisation_id"], "")} for p in content["team"]],
        "budget_lines": [
            {
                **line,
                "organisation_name": names.get(line["organisation_id"], ""),
                "category": categories.get(line["category"], line["category"]),
            }
            for line in content["budget_lines"]
            if mine is None or line["organisation_id"] in mine
        ],
        "milestones": content["milestones"],
        "attachments": content["attachments"],
    }


def _commitment_rows(bid: Bid, commitments: dict) -> list[dict]:
    """Every indicator of the challenge next to what the bid commits (blank when it commits nothing)."""
    none = {"value": None, "evidence": ""}
    return [
        {
            "indicator": indicator,
            "target": f.plain_number(indicator.target_value),
            "value": f.plain_number(commitments.get(indicator.pk, none)["value"]),
            "evidence": commitments.get(indicator.pk, none)["evidence"],
        }
        for indicator in bid.challenge.indicators.all()
    ]


@login_required
def bid_detail(request, pk):
    bid = _bid(request.user, pk)
    revisions = list(bid.revisions.order_by("number"))
    insider = _insider(request.user, bid)
    shown = bid.current_revision if not insider else None
    if insider and request.GET.get("revision"):
        shown = next((r for r in revisions if str(r.number) == request.GET["revision"]), None)
        if shown is None:
            raise Http404
    copy = _revision_copy(request.user, bid, shown.content) if shown else _working_copy(request.user, bid)
    lines = copy["budget_lines"]
    context = {
        "bid": bid,
        "copy": copy,
        "revision": shown,
        "revisions": revisions,
        "insider": insider,
        "commitments": _commitment_rows(bid, copy["commitments"]),
        "all_lines": request.user.has_perm("submissions.view_all_budget_lines", bid),
        "totals": {
            "government": sum(Decimal(str(line["government_amount"])) for line in lines),
            "own": sum(Decimal(str(line["own_amount"])) for line in lines),
        },
        "can_edit": request.user.has_perm("submissions.edit_bid", bid),
        # After the decision the applicant reads its anonymised reviews.
        "feedback": feedback_for(bid) if request.user.has_perm("submissions.edit_bid", bid) else [],
        "invitation": next(
            (
                p
                for p in bid.partners.all()
                if p.status == p.Status.INVITED and request.user.has_perm("submissions.respond_partner", p)
            ),
            None,
        ),
        "now": timezone.now(),
    }
    return render(request, "frontend/bids/detail.html", context)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(BidAttachment, pk=pk)
    bid = _bid(request.user, attachment.bid_id)
    if not _insider(request.user, bid):
        # Agency staff and operators read the submitted revision: only the files it cites.
        cited = {a["id"] for a in (bid.current_revision.content["attachments"] if bid.current_revision else [])}
        if attachment.pk not in cited:
            raise Http404
    return download_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


# Partner invitations and the lists --------------------------------------------------------------


@login_required
@require_POST
def partner_respond(request, pk):
    partner = get_object_or_404(Partner.objects.select_related("organisation"), pk=pk)
    partner.bid = selectors.bid_for(request.user, partner.bid_id)  # 404 for anyone not involved
    accept = request.POST.get("answer") == "confirm"
    services.partner_respond(partner=partner, actor=request.user, accept=accept)
    if accept:
        messages.success(request, _("%(org)s joined the consortium.") % {"org": partner.organisation.name})
    else:
        messages.info(request, _("You declined the invitation."))
    return redirect("frontend:my_bids")


@login_required
def my_bids(request):
    org_ids = _applicant_org_ids(request.user)
    partnered = selectors.visible_bids(request.user).filter(
        partners__organisation_id__in=org_ids, partners__status=Partner.Status.CONFIRMED
    )
    context = {
        "bids": selectors.organisation_bids(org_ids),
        "partnered": selectors.with_list_data(partnered).exclude(lead_id__in=org_ids),
        "invitations": selectors.pending_partner_invitations(request.user),
        "now": timezone.now(),
    }
    return render(request, "frontend/bids/my_bids.html", context)


@login_required
def challenge_bids(request, challenge_pk):
    challenge = challenge_selectors.challenge_for(request.user, challenge_pk)
    staff = challenge_rules.is_issuer_staff(request.user, challenge) or request.user.is_operator
    if not staff or challenge.status in BIDDING_NOT_CLOSED:
        raise Http404
    bids = selectors.challenge_bids(request.user, challenge)
    return render(request, "frontend/bids/challenge_bids.html", {"challenge": challenge, "bids": bids})

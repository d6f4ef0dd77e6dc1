"""The expert's side: "My reviews", an assignment's material, the review form, recusal, and the
attachments under the names the reviewer may see."""

from string import ascii_uppercase

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.files import download_response
from reviews import selectors, services
from reviews.models import Assignment, ExpertProfile, Review, ReviewItem, ReviewRound
from submissions.models import BudgetLine

from ... import review_forms as f
from ..base import errors_into
from .access import require

A = Assignment.Status


@login_required
def my_reviews(request):
    assignments = list(
        selectors.my_assignments(request.user)
        .exclude(status=A.PROPOSED)
        .select_related("item__round__challenge", "review")
        .annotate(n_scores=Count("review__scores"))
        .order_by("answer_by", "pk")
    )

    def having(*states):
        return [a for a in assignments if a.status in states]

    context = {
        "invitations": having(A.INVITED),
        "current": having(A.ACCEPTED),
        "finished": having(A.SUBMITTED),
        "closed": having(A.DECLINED, A.EXPIRED, A.RECUSED),
        "profile": ExpertProfile.objects.filter(user=request.user).first(),
        "now": timezone.now(),
    }
    return render(request, "frontend/reviews/my_reviews.html", context)


def _model_label(item: ReviewItem) -> str:
    return ContentType.objects.get_for_id(item.subject_type_id).model_class()._meta.label_lower


def _with_bid_labels(content: dict, round: ReviewRound) -> dict:
    """Set each commitment beside its indicator's target, and name the budget categories."""
    indicators = {i.pk: i for i in round.challenge.indicators.all()}
    categories = dict(BudgetLine.Category.choices)
    for commitment in content.get("commitments", []):
        commitment["target"] = indicators.get(commitment.get("indicator"))
    for line in content.get("budget_lines", []):
        line["category_label"] = categories.get(line.get("category"), line.get("category"))
    return content


def _content(assignment: Assignment) -> dict:
    """What the reviewer reads (blind in blind rounds), and the template for that kind of item."""
    item, label = assignment.item, _model_label(assignment.item)
    content = selectors.item_content(item)
    if label == "submissions.bidrevision":
        content = _with_bid_labels(content, item.round)
    names = [f"frontend/reviews/content/{label}.html", "frontend/reviews/content/generic.html"]
    return {"content": content, "content_template": select_template(names).template.name}


def _reviewer_name(n: int) -> str:
    return _("Reviewer %(letter)s") % {"letter": ascii_uppercase[n % 26] + (str(n // 26) if n >= 26 else "")}


def _other_reviews(assignment: Assignment, criteria, review: Review | None) -> dict:
    """The item's other submitted reviews beside the expert's own, as Reviewer A, B, C…: never a name."""
    others = selectors.other_reviews(assignment)
    values = [{s.criterion_id: s.value for s in r.scores.all()} for r in [review, *others] if r is not None]
    return {
        "names": [_reviewer_name(n) for n in range(len(others))],
        "rows": [(c.name, [v.get(c.pk) for v in values]) for c in criteria],
        "totals": [r.total for r in [review, *others] if r is not None],
    }


def _assignment_page(request, assignment: Assignment, *, status: int = 200, **forms):
    round, user = assignment.item.round, request.user
    active = user.has_perm("reviews.read_item", assignment)
    review = getattr(assignment, "review", None)
    context = {
        "assignment": assignment,
        "round": round,
        "item": assignment.item,
        "active": active,
        "review": review,
        "is_operator": user.has_perm("reviews.manage_round", round),
        "decline_form": forms.get("decline_form") or f.ReasonForm(required=False, prefix="decline"),
        "recuse_form": forms.get("recuse_form") or f.ReasonForm(prefix="recuse"),
        "reopen_form": forms.get("reopen_form") or f.ReasonForm(prefix="reopen"),
    }
    if active:
        context.update(_content(assignment))
    if active and round.rubric_id:
        criteria = list(round.rubric.criteria.all())
        form = forms.get("review_form") or f.ReviewForm(criteria=criteria, review=review)
        editable = assignment.status == A.ACCEPTED and user.has_perm("reviews.score", assignment)
        if not editable:
            form.freeze()
        context.update(review_form=form, editable=editable)
        if user.has_perm("reviews.view_other_scores", assignment):
            context["others"] = _other_reviews(assignment, criteria, review)
    return render(request, "frontend/reviews/assignment.html", context, status=status)


@login_required
def assignment_detail(request, pk):
    return _assignment_page(request, selectors.assignment_for(request.user, pk))


@login_required
@require_POST
def assignment_review(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    require(request.user, "reviews.score", assignment)
    rubric = assignment.item.round.rubric
    if rubric is None:
        raise DomainError(_("This round has no rubric yet; the operator sets one before scoring starts."))
    form = f.ReviewForm(request.POST, criteria=rubric.criteria.all())
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        with errors_into(form):
            services.review_save(assignment=assignment, actor=request.user, scores=form.scores(), comment=comment, submit=submit)
        if not form.errors:
            messages.success(request, _("Review submitted. Thank you.") if submit else _("Draft saved."))
            return redirect("frontend:assignment_detail", assignment.pk)
    return _assignment_page(request, assignment, status=400, review_form=form)


@login_required
@require_POST
def assignment_accept(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    services.assignment_accept(assignment=assignment, actor=request.user)
    messages.success(request, _("Accepted. The material is below; your scores save as a draft until you submit."))
    return redirect("frontend:assignment_detail", assignment.pk)


@login_required
@require_POST
def assignment_decline(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    require(request.user, "reviews.answer_invitation", assignment)  # before the form: a denied role never gets 400
    form = f.ReasonForm(request.POST, required=False, prefix="decline")
    if form.is_valid():
        with errors_into(form):
            services.assignment_decline(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        if not form.errors:
            messages.success(request, _("Declined. Thank you for letting us know."))
            return redirect("frontend:my_reviews")
    return _assignment_page(request, assignment, status=400, decline_form=form)


@login_required
@require_POST
def assignment_recuse(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    require(request.user, "reviews.recuse", assignment)
    form = f.ReasonForm(request.POST, prefix="recuse")
    if form.is_valid():
        with errors_into(form):
            services.assignment_recuse(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        if not form.errors:
            messages.success(request, _("You have recused yourself; the conflict is recorded."))
            return redirect("frontend:my_reviews")
    return _assignment_page(request, assignment, status=400, recuse_form=form)


@login_required
@require_POST
def assignment_reopen(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    require(request.user, "reviews.reopen_review", assignment)
    form = f.ReasonForm(request.POST, prefix="reopen")
    if form.is_valid():
        with errors_into(form):
            services.review_reopen(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        if not form.errors:
            messages.success(request, _("Review reopened; the expert can change and submit it again."))
            return redirect("frontend:assignment_detail", assignment.pk)
    return _assignment_page(request, assignment, status=400, reopen_form=form)


@login_required
def assignment_attachment(request, pk, n):
    """The n-th attachment of the reviewed item, under the name the reviewer sees (anonymised
    in blind rounds). Only for an expert who accepted, or an operator."""
    assignment = selectors.assignment_for(request.user, pk)
    require(request.user, "reviews.read_item", assignment)
    stored, name = selectors.item_attachment(assignment.item, n)
    return download_response(stored.file, name=name, content_type=stored.content_type)

"""Challenge pages: the public list and detail, drafting, approval, amendments, Q&A and NDAs."""

from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from challenges import selectors, services
from challenges.models import Challenge
from core.errors import DomainError
from core.files import download_response
from submissions.selectors import bid_counts

from ..challenge_forms import (
    AmendmentForm,
    AnswerForm,
    AttachmentForm,
    CancelForm,
    ChallengeForm,
    IndicatorFormSet,
    NdaForm,
    PublicChallengeFilter,
    QuestionForm,
    ReturnForm,
    SubscriptionForm,
    indicator_initial,
)
from .base import errors_into

PER_PAGE = 20


# Helpers ----------------------------------------------------------------------------------------


def _challenge(request, pk, perm: str | None = None) -> Challenge:
    """The access helper, then the permission: 404 for what one may not know of, 403 for what one may not do."""
    challenge = selectors.challenge_for(request.user, pk)
    if perm and not request.user.has_perm(perm, challenge):
        raise PermissionDenied
    return challenge


def _abilities(user, challenge: Challenge) -> dict[str, bool]:
    """Which buttons to show: the step is possible in this state and the rules allow this user."""
    moves = set(services.LIFECYCLE.available(challenge.status))
    published = challenge.status == Challenge.Status.PUBLISHED

    def may(perm: str) -> bool:
        return user.has_perm(f"challenges.{perm}", challenge)

    return {
        "edit": challenge.status in Challenge.EDITABLE_STATES and may("edit_challenge"),
        "submit": "submit" in moves and may("submit_challenge"),
        "approve": "approve" in moves and may("approve_challenge"),
        "return": "return" in moves and may("return_challenge"),
        "cancel": "cancel" in moves and may("cancel_challenge"),
        "amend": published and may("amend_challenge"),
        "answer": may("answer_question"),
        "inbox": may("view_questions_inbox"),
        "ask": published and may("ask_question"),
        "sign_nda": may("sign_nda"),
        "view_confidential": may("view_confidential"),
        # Applicants (the same people who may sign the NDA) can start a bid while it is open.
        "apply": challenge.is_open_for_bids() and may("sign_nda"),
        "bids": challenge.status not in _BEFORE_CLOSE and may("view_questions_inbox"),
        "decide": challenge.status == Challenge.Status.UNDER_REVIEW and user.has_perm("awards.decide", challenge),
        "reissue": challenge.status in _REISSUABLE and user.has_perm("challenges.create_challenge", challenge.issuer),
    }


_REISSUABLE = {Challenge.Status.UNAWARDED, Challenge.Status.CANCELLED}
_BEFORE_CLOSE = {Challenge.Status.DRAFT, Challenge.Status.PENDING_APPROVAL, Challenge.Status.PUBLISHED}


def _unsigned_organisations(user, challenge: Challenge) -> list[Organisation]:
    ids = selectors.applicant_organisation_ids(user) - selectors.nda_signed_org_ids(challenge)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _render_detail(request, pk, status: int = 200, **bound):
    """The detail page; a failed action passes its bound form back so nothing typed is lost."""
    challenge = selectors.challenge_for(request.user, pk, detail=True)
    user, can = request.user, _abilities(request.user, challenge)
    files = selectors.visible_attachments(user, challenge)
    unsigned = _unsigned_organisations(user, challenge) if can["sign_nda"] else []
    pending = selectors.visible_questions(user, challenge).filter(answered_at__isnull=True)
    failed = bound.get("answer_form")
    context = {
        "challenge": challenge,
        "can": can,
        "own_submission": challenge.submitted_by_id == user.pk,
        "amendments": [(a, a.changes_for(confidential=can["view_confidential"])) for a in challenge.amendments.all()],
        "public_files": [f for f in files if not f.confidential],
        "confidential_files": [f for f in files if f.confidential],
        "nda_form": bound.get("nda_form") or (NdaForm(organisations=unsigned) if unsigned else None),
        "question_form": bound.get("question_form") or QuestionForm(),
        "return_form": bound.get("return_form") or ReturnForm(),
        "cancel_form": bound.get("cancel_form") or CancelForm(),
        "pending_questions": [
            (q, failed if failed and failed.prefix == f"q{q.pk}" else AnswerForm(prefix=f"q{q.pk}"))
            for q in (pending if user.is_authenticated else [])
        ],
    }
    return render(request, "frontend/challenges/detail.html", context, status=status)


@contextmanager
def _draft_errors_into(form, formset):
    """Like `errors_into`, but the service's "indicators" errors go above the indicator rows."""
    with errors_into(form):
        try:
            yield
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") or "indicators" not in exc.error_dict:
                raise
            errors = dict(exc.error_dict)
            formset.non_form_errors().extend(errors.pop("indicators"))
            if errors:
                raise ValidationError(errors) from exc


def _has_errors(form, formset) -> bool:
    return bool(form.errors or formset.total_error_count())


def _render_form(request, form, formset, challenge=None, attachment_form=None):
    context = {"form": form, "formset": formset, "challenge": challenge}
    if challenge is not None:
        context["attachment_form"] = attachment_form or AttachmentForm()
        context["attachments"] = challenge.attachments.all()
    failed = request.method == "POST" and (_has_errors(form, formset) or attachment_form is not None)
    return render(request, "frontend/challenges/form.html", context, status=400 if failed else 200)


# Public pages -------------------------------------------------------------------------------------


def challenge_list(request):
    visible = selectors.with_list_data(selectors.visible_challenges(request.user).public())
    filterset = PublicChallengeFilter(request.GET or None, queryset=visible)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": filterset.form, "page": page, "query": query.urlencode()}
    return render(request, "frontend/challenges/list.html", context)


def challenge_detail(request, pk):
    return _render_detail(request, pk)


def attachment_download(request, pk):
    attachment = selectors.attachment_for(request.user, pk)
    return download_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


# Drafting ------------------------------------------------------------------------------------------


def _draft_only(request, challenge: Challenge):
    """After publication the text changes only by amendment: send the user back to the page."""
    messages.info(request, _("Only a draft can be edited; after publication, publish an amendment."))
    return redirect("frontend:challenge_detail", challenge.pk)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request):
    agencies = Organisation.objects.filter(pk__in=selectors.agency_ids(request.user)).order_by("name")
    agencies = [a for a in agencies if request.user.has_perm("challenges.create_challenge", a)]
    if not agencies:
        raise PermissionDenied
    form = ChallengeForm(request.POST or None, agencies=agencies)
    formset = IndicatorFormSet(request.POST or None, prefix="indicators")
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        with _draft_errors_into(form, formset):
            challenge = services.challenge_create(
                actor=request.user,
                issuer=form.chosen_issuer(),
                data=form.draft_data(),
                fields=form.cleaned_data["fields"],
                indicators=formset.rows(),
            )
        if not _has_errors(form, formset):
            messages.success(request, _("Draft saved. Check it, add files, then submit it for approval."))
            return redirect("frontend:challenge_detail", challenge.pk)
    return _render_form(request, form, formset)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request, pk):
    challenge = _challenge(request, pk, "challenges.edit_challenge")
    if challenge.status not in Challenge.EDITABLE_STATES:
        return _draft_only(request, challenge)
    form = ChallengeForm(request.POST or None, instance=challenge)
    formset = IndicatorFormSet(request.POST or None, prefix="indicators", initial=indicator_initial(challenge))
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        with _draft_errors_into(form, formset):
            services.challenge_update(
                challenge=challenge,
                actor=request.user,
                data=form.draft_data(),
                fields=form.cleaned_data["fields"],
                indicators=formset.rows(),
            )
        if not _has_errors(form, formset):
            messages.success(request, _("Draft saved."))
            return redirect("frontend:challenge_detail", challenge.pk)
    return _render_form(request, form, formset, challenge)


@login_required
@require_POST
def attachment_add(request, pk):
    challenge = _challenge(request, pk, "challenges.edit_challenge")
    if challenge.status not in Challenge.EDITABLE_STATES:
        return _draft_only(request, challenge)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        with errors_into(form):
            attachment = services.attachment_add(
                challenge=challenge,
                actor=request.user,
                upload=form.cleaned_data["file"],
                confidential=form.cleaned_data["confidential"],
            )
        if not form.errors:
            messages.success(request, _("%(name)s is attached.") % {"name": attachment.name})
            return redirect("frontend:challenge_edit", challenge.pk)
    draft = ChallengeForm(instance=challenge)
    formset = IndicatorFormSet(prefix="indicators", initial=indicator_initial(challenge))
    return _render_form(request, draft, formset, challenge, attachment_form=form)


# Approval -------------------------------------------------------------------------------------------


@login_required
@require_POST
def challenge_submit(request, pk):
    challenge = _challenge(request, pk, "challenges.submit_challenge")
    services.challenge_submit(challenge=challenge, actor=request.user)
    messages.success(request, _("Submitted for approval. Another person with the approver role must approve it."))
    return redirect("frontend:challenge_detail", pk)


@login_required
@require_POST
def challenge_approve(request, pk):
    challenge = _challenge(request, pk, "challenges.approve_challenge")
    services.challenge_approve(challenge=challenge, actor=request.user)
    messages.success(request, _("Approved and published."))
    return redirect("frontend:challenge_detail", pk)


@login_required
@require_POST
def challenge_return(request, pk):
    challenge = _challenge(request, pk, "challenges.return_challenge")
    form = ReturnForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.challenge_return(challenge=challenge, actor=request.user, comment=form.cleaned_data["comment"])
        if not form.errors:
            messages.success(request, _("Returned to the editors with your comment."))
            return redirect("frontend:challenge_detail", pk)
    return _render_detail(request, pk, 400, return_form=form)


@login_required
@require_POST
def challenge_cancel(request, pk):
    challenge = _challenge(request, pk, "challenges.cancel_challenge")
    form = CancelForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.challenge_cancel(challenge=challenge, actor=request.user, reason=form.cleaned_data["reason"])
        if not form.errors:
            messages.success(request, _("The challenge is cancelled. Everyone concerned is told why."))
            return redirect("frontend:challenge_detail", pk)
    return _render_detail(request, pk, 400, cancel_form=form)


@login_required
@require_POST
def challenge_reissue(request, pk):
    """An unawarded or cancelled challenge comes back as a new draft, opened for editing."""
    challenge = _challenge(request, pk)
    try:
        draft = services.challenge_reissue(challenge=challenge, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("frontend:challenge_detail", pk)
    messages.success(request, _("A new draft was made from this challenge. Review it and submit it for approval."))
    return redirect("frontend:challenge_edit", draft.pk)


# After publication ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def challenge_amend(request, pk):
    challenge = _challenge(request, pk, "challenges.amend_challenge")
    if not _abilities(request.user, challenge)["amend"]:
        messages.info(request, _("Only a published challenge open for bids can be amended."))
        return redirect("frontend:challenge_detail", pk)
    form = AmendmentForm(request.POST or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            amendment = services.challenge_amend(
                challenge=challenge, actor=request.user, reason=form.cleaned_data["reason"], changes=form.changes()
            )
        if not form.errors:
            messages.success(request, _("Amendment %(number)s is published.") % {"number": amendment.number})
            return redirect("frontend:challenge_detail", pk)
    status = 400 if form.errors else 200
    return render(request, "frontend/challenges/amend.html", {"form": form, "challenge": challenge}, status=status)


@login_required
@require_POST
def nda_sign(request, pk):
    challenge = _challenge(request, pk, "challenges.sign_nda")
    form = NdaForm(request.POST, organisations=_unsigned_organisations(request.user, challenge))
    if form.is_valid():
        with errors_into(form):
            services.nda_sign(challenge=challenge, actor=request.user, organisation=form.cleaned_data["organisation"])
        if not form.errors:
            messages.success(request, _("NDA signed. The confidential details are now open to your organisation."))
            return redirect("frontend:challenge_detail", pk)
    return _render_detail(request, pk, 400, nda_form=form)


@login_required
@require_POST
def question_ask(request, pk):
    challenge = _challenge(request, pk, "challenges.ask_question")
    form = QuestionForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.question_ask(challenge=challenge, actor=request.user, text=form.cleaned_data["text"])
        if not form.errors:
            messages.success(request, _("Question sent. The answer will be published here without your name."))
            return redirect("frontend:challenge_detail", pk)
    return _render_detail(request, pk, 400, question_form=form)


@login_required
@require_POST
def question_answer(request, pk, question_pk):
    challenge = _challenge(request, pk, "challenges.answer_question")
    question = selectors.question_for(request.user, challenge, question_pk)
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    if form.is_valid():
        with errors_into(form):
            services.question_answer(question=question, actor=request.user, answer=form.cleaned_data["answer"])
        if not form.errors:
            messages.success(request, _("Answer published."))
            return redirect("frontend:challenge_detail", pk)
    return _render_detail(request, pk, 400, answer_form=form)


# Agency and applicant pages -------------------------------------------------------------------------


@login_required
def agency_challenge_list(request):
    if not selectors.agency_ids(request.user):
        raise PermissionDenied
    challenges = selectors.agency_challenges(request.user)
    counts = dict(challenges.prefetch_related(None).order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("status", "")
    if status in Challenge.Status.values:
        challenges = challenges.filter(status=status)
    tabs = [(value, label, counts[value]) for value, label in Challenge.Status.choices if counts.get(value)]
    page = Paginator(challenges, PER_PAGE).get_page(request.GET.get("page"))
    bids = bid_counts([c.pk for c in page.object_list])
    for challenge in page.object_list:
        challenge.bid_counts = bids.get(challenge.pk, {"draft": 0, "submitted": 0})
    context = {"page": page, "tabs": tabs, "status": status, "total": sum(counts.values())}
    context["query"] = f"status={status}" if status else ""
    return render(request, "frontend/challenges/agency_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    organisations = list(Organisation.objects.filter(pk__in=selectors.applicant_organisation_ids(request.user)).order_by("name"))
    if not organisations:
        raise PermissionDenied
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = next((o for o in organisations if str(o.pk) == chosen), None) if chosen else organisations[0]
    if organisation is None:
        raise Http404
    current = list(organisation.field_subscriptions.values_list("field_id", flat=True))
    form = SubscriptionForm(request.POST if request.method == "POST" else None, initial={"fields": current})
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.subscription_set(organisation=organisation, actor=request.user, fields=form.cleaned_data["fields"])
        if not form.errors:
            messages.success(request, _("Subscriptions saved for %(name)s.") % {"name": organisation.name})
            return redirect(f"{reverse('frontend:subscriptions')}?organisation={organisation.pk}")
    context = {"form": form, "organisation": organisation, "organisations": organisations}
    return render(request, "frontend/challenges/subscriptions.html", context)

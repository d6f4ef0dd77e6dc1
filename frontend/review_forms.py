"""Forms of the review pages. They convert what was typed; the services in reviews decide."""

import copy

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from challenges.models import TechnicalField
from reviews.models import ExpertProfile, ReviewRound
from reviews.services.rounds import CONFIGURABLE

from .forms import StyledForm

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# The expert fields the operator edits, as expert_save takes them.
EXPERT_DATA = ("title", "affiliation", "tier", "max_concurrent", "is_finance_expert", "is_active", "bio", "keywords")


class ReviewStyledForm(StyledForm):
    """Bootstrap classes for tick boxes too, and a field is marked invalid whenever it gets an
    error, also one a service raised after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _organisation(code: str) -> Organisation | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    organisation = Organisation.objects.filter(credit_code=code).first()
    if organisation is None:
        raise forms.ValidationError(_("No organisation has this credit code."), code="unknown_organisation")
    return organisation


# The expert pool --------------------------------------------------------------------------------


class ExpertSearchForm(ReviewStyledForm, forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    field = forms.ModelChoiceField(
        label=_("Technical field"), queryset=TechnicalField.objects.all(), required=False, empty_label=_("Any field")
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), choices=[("", _("Any tier")), *ExpertProfile.Tier.choices], coerce=int, required=False
    )


class ExpertForm(ReviewStyledForm, forms.Form):
    """One expert's profile. A new expert is named by the email of their platform account."""

    email = forms.EmailField(
        label=_("Email of the expert's account"),
        help_text=_("The expert signs up first; to add people without an account, use the CSV import."),
    )
    title = forms.CharField(label=_("Professional title"), max_length=100, required=False)
    affiliation_code = forms.CharField(
        label=_("Affiliation (credit code)"),
        max_length=18,
        required=False,
        help_text=_("The 18-character code of the organisation the expert works for; conflicts are drawn from it."),
    )
    tier = forms.TypedChoiceField(label=_("Tier"), choices=ExpertProfile.Tier.choices, coerce=int, initial=3)
    max_concurrent = forms.IntegerField(label=_("Concurrent assignments at most"), min_value=1, max_value=200, initial=8)
    is_finance_expert = forms.BooleanField(label=_("Finance expert"), required=False)
    is_active = forms.BooleanField(label=_("Active in the pool"), required=False, initial=True)
    fields = forms.ModelMultipleChoiceField(
        label=_("Technical fields"),
        queryset=TechnicalField.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=2000,
        help_text=_("Separate keywords with semicolons, e.g. 碳化硅; power devices; crystal growth."),
    )
    bio = forms.CharField(label=_("Short biography"), required=False, widget=_text(4))

    def __init__(self, *args, profile: ExpertProfile | None = None, **kwargs):
        if profile is not None:
            kwargs.setdefault("initial", self.initial_for(profile))
        super().__init__(*args, **kwargs)
        self.profile = profile
        if profile is not None:
            del self.fields["email"]

    @staticmethod
    def initial_for(profile: ExpertProfile) -> dict:
        initial = {name: getattr(profile, name) for name in EXPERT_DATA if name not in {"affiliation", "keywords"}}
        return initial | {
            "affiliation_code": profile.affiliation.credit_code if profile.affiliation else "",
            "keywords": "; ".join(profile.keywords),
            "fields": list(profile.fields.all()),
        }

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        self.user = get_user_model().objects.filter(email__iexact=email).first()
        if self.user is None:
            raise forms.ValidationError(_("No account has this email."), code="no_account")
        if ExpertProfile.objects.filter(user=self.user).exists():
            raise forms.ValidationError(_("This person is already in the pool."), code="duplicate")
        return email

    def clean_affiliation_code(self):
        self.cleaned_data["affiliation"] = _organisation(self.cleaned_data["affiliation_code"])
        return self.cleaned_data["affiliation_code"]

    def expert_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EXPERT_DATA}


class ConflictForm(ReviewStyledForm, forms.Form):
    organisation_code = forms.CharField(label=_("Organisation (credit code)"), max_length=18, required=False)
    person_name = forms.CharField(label=_("Or a person"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=250, help_text=_("E.g. co-authored papers until 2024."))

    def clean_organisation_code(self):
        self.cleaned_data["organisation"] = _organisation(self.cleaned_data["organisation_code"])
        return self.cleaned_data["organisation_code"]


class ImportForm(ReviewStyledForm, forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8, with a header row)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check every row, import nothing"), required=False, initial=True)


# Rounds ------------------------------------------------------------------------------------------


class RoundSettingsForm(ReviewStyledForm, forms.ModelForm):
    class Meta:
        model = ReviewRound
        fields = list(CONFIGURABLE)
        widgets = {
            "soft_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            "hard_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        }

    def __init__(self, *args, instance: ReviewRound, **kwargs):
        # A copy: a refused change must not show up in the rest of the page.
        super().__init__(*args, instance=copy.copy(instance), **kwargs)

    def freeze(self) -> None:
        for field in self.fields.values():
            field.disabled = True


class CheckDecisionForm(ReviewStyledForm, forms.Form):
    """Confirm or overturn the automatic formal check; the button pressed says which."""

    passed = forms.TypedChoiceField(
        choices=[("1", _("Passed")), ("0", _("Failed"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_text(2))


class AddExpertForm(ReviewStyledForm, forms.Form):
    """Named `expert`, like the service's errors about the pair, so they show next to it."""

    expert = forms.EmailField(label=_("Expert's email"))

    def clean_expert(self):
        email = self.cleaned_data["expert"].strip().lower()
        self.expert = ExpertProfile.objects.filter(user__email__iexact=email).first()
        if self.expert is None:
            raise forms.ValidationError(_("Nobody in the pool has this email."), code="unknown_expert")
        return email


# Answering and scoring ----------------------------------------------------------------------------


class ReasonForm(ReviewStyledForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=250, widget=_text(2))

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class ReviewForm(ReviewStyledForm, forms.Form):
    """One score and one comment per rubric criterion, and an overall comment.

    Score fields are named `criterion_<id>`, as the service names its errors, so each error
    lands next to its criterion. The range is the service's to check.
    """

    comment = forms.CharField(label=_("Overall comment"), required=False, widget=_text(5))

    def __init__(self, *args, criteria, review=None, **kwargs):
        if review is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(review)
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            choices = [("", "—"), *((n, str(n)) for n in range(c.min_score, c.max_score + 1))]
            score = forms.IntegerField(label=c.name, required=False, widget=forms.Select(choices=choices))
            score.widget.attrs["class"] = "form-select"
            note = forms.CharField(label=_("Comment"), required=False, widget=_text(2), max_length=4000)
            note.widget.attrs["class"] = "form-control"
            self.fields[f"criterion_{c.pk}"], self.fields[f"comment_{c.pk}"] = score, note

    @staticmethod
    def initial_for(review) -> dict:
        initial = {"comment": review.comment}
        for s in review.scores.all():
            initial |= {f"criterion_{s.criterion_id}": s.value, f"comment_{s.criterion_id}": s.comment}
        return initial

    def add_error(self, field, error):
        super().add_error(field, error)
        # "A comment is required" comes on the score's field (the service checks the range first):
        # a score in range with an empty required comment means the comment is what is wrong.
        for c in self.criteria:
            score, note = f"criterion_{c.pk}", f"comment_{c.pk}"
            if score not in self.errors or not c.comment_required or (self[note].value() or "").strip():
                continue
            value = str(self[score].value() or "")  # add_error dropped it from cleaned_data
            if value.isdigit() and c.min_score <= int(value) <= c.max_score:
                self.fields[score].widget.attrs["class"] = "form-select"
                self.fields[score].widget.attrs.pop("aria-invalid", None)
            attrs = self.fields[note].widget.attrs
            attrs.update({"class": "form-control is-invalid", "aria-invalid": "true"})
            attrs["aria-describedby"] = f"{self[score].auto_id}-error"

    def rows(self) -> list[dict]:
        rows = []
        for c in self.criteria:
            score, note = self[f"criterion_{c.pk}"], self[f"comment_{c.pk}"]
            rows.append({"criterion": c, "score": score, "note": note, "errors": score.errors + note.errors})
        return rows

    def scores(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            c.pk: {"value": data.get(f"criterion_{c.pk}"), "comment": data.get(f"comment_{c.pk}") or ""} for c in self.criteria
        }

    def freeze(self) -> None:
        for field in self.fields.values():
            field.disabled = True

"""Web forms for challenges. They convert and show input; the rules live in challenges.services."""

import copy
from decimal import Decimal

from django import forms
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from challenges import services
from challenges.filters import ChallengeFilter
from challenges.models import Challenge, Indicator, TechnicalField

from .forms import StyledForm

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _plain_text(value):
    """Browsers send textarea line breaks as CRLF; compare and store them as LF."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _plain_decimal(value):
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class ChallengeStyledForm(StyledForm):
    """Bootstrap classes for checkbox lists too, and help and errors tied to their field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{described} {self[name].auto_id}-error".strip()


# Drafting -------------------------------------------------------------------------------

APPLICANT_KINDS = [(k, label) for k, label in Organisation.Kind.choices if k != Organisation.Kind.AGENCY]


class ChallengeForm(ChallengeStyledForm, forms.ModelForm):
    """The draft's own fields; indicators come in their own formset, files in their own form."""

    fields = forms.ModelMultipleChoiceField(
        label=_("Technical fields"), queryset=TechnicalField.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    allowed_kinds = forms.MultipleChoiceField(
        label=_("Organisation kinds allowed"),
        choices=APPLICANT_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every kind except agencies."),
    )
    allowed_sizes = forms.MultipleChoiceField(
        label=_("Organisation sizes allowed"),
        choices=Organisation.Size.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every size."),
    )

    class Meta:
        model = Challenge
        fields = [
            "issuer",
            "title",
            "fields",
            "summary",
            "chokepoint",
            "confidential_details",
            "nda_text",
            "government_funding",
            "cofunding_ratio",
            "funding_mode",
            "max_winners",
            "allowed_kinds",
            "allowed_sizes",
            "smes_only",
            "consortium_allowed",
            "max_partners",
            "required_qualifications",
            "bids_per_organisation",
            "bidding_opens_at",
            "bidding_closes_at",
            "execution_months",
            "publicity_days",
            "ip_terms",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "chokepoint": forms.Textarea(attrs={"rows": 4}),
            "confidential_details": forms.Textarea(attrs={"rows": 4}),
            "nda_text": forms.Textarea(attrs={"rows": 3}),
            "required_qualifications": forms.Textarea(attrs={"rows": 2}),
            "ip_terms": forms.Textarea(attrs={"rows": 3}),
            "bidding_opens_at": _datetime_input(),
            "bidding_closes_at": _datetime_input(),
        }
        help_texts = {
            "nda_text": _("What an applicant agrees to before reading the confidential details."),
            "government_funding": _("In yuan, e.g. 20000000 for 2,000万元."),
        }

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        self.single_issuer = None
        editing = not self.instance._state.adding  # a new challenge has its UUID already
        if editing or len(agencies) <= 1:
            # The issuer never changes, and with one agency there is nothing to choose.
            del self.fields["issuer"]
            self.single_issuer = self.instance.issuer if editing else agencies[0]
        else:
            self.fields["issuer"].queryset = Organisation.objects.filter(pk__in=[a.pk for a in agencies])

    def chosen_issuer(self) -> Organisation:
        return self.cleaned_data.get("issuer") or self.single_issuer

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in services.SCHEDULE_FIELDS}
        changed = set(services.SCHEDULE_FIELDS) & set(self.changed_data)
        for name, messages in services.schedule_errors(values, changed, timezone.now()).items():
            self.add_error(name, messages)
        return data

    def draft_data(self) -> dict:
        """The challenge's own values for the service; issuer and fields go separately."""
        return {k: _plain_text(v) for k, v in self.cleaned_data.items() if k not in {"issuer", "fields"}}


class IndicatorForm(ChallengeStyledForm, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = services.INDICATOR_FIELDS
        widgets = {"measurement_method": forms.Textarea(attrs={"rows": 2})}
        labels = {"is_main": _("Main indicator")}


class BaseIndicatorFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this indicator")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[dict]:
        """Filled rows in order, as the service takes them; untouched extra rows and removed ones left out."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE"):
                rows.append({k: _plain_text(v) for k, v in data.items() if k != "DELETE"})
        return rows


IndicatorFormSet = forms.formset_factory(
    IndicatorForm,
    formset=BaseIndicatorFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=30,
    validate_max=True,
)


def indicator_initial(challenge: Challenge) -> list[dict]:
    return [
        {k: _plain_decimal(v) for k, v in model_to_dict(indicator, fields=services.INDICATOR_FIELDS).items()}
        for indicator in challenge.indicators.all()
    ]


class AttachmentForm(ChallengeStyledForm, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office documents, images or a zip archive."), allow_empty_file=True)
    confidential = forms.BooleanField(label=_("Confidential: only for organisations that signed the NDA"), required=False)


# After publication -----------------------------------------------------------------------

AMENDABLE_IN_ORDER = [f.name for f in Challenge._meta.fields if f.name in services.AMENDABLE_FIELDS]


class AmendmentForm(ChallengeStyledForm, forms.ModelForm):
    """The amendable fields prefilled with today's values; only what changed goes to the service."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the amendment and sent to every bidder."),
        max_length=4000,
    )
    field_order = ["reason", *AMENDABLE_IN_ORDER]

    class Meta:
        model = Challenge
        fields = AMENDABLE_IN_ORDER
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "chokepoint": forms.Textarea(attrs={"rows": 4}),
            "confidential_details": forms.Textarea(attrs={"rows": 4}),
            "required_qualifications": forms.Textarea(attrs={"rows": 2}),
            "ip_terms": forms.Textarea(attrs={"rows": 3}),
            "bidding_closes_at": _datetime_input(),
        }
        help_texts = {"bidding_closes_at": _("May move later, never earlier.")}

    def __init__(self, *args, challenge: Challenge, **kwargs):
        # Validation writes the typed values onto the instance: keep the original for comparing.
        self.challenge = challenge
        super().__init__(*args, instance=copy.copy(challenge), **kwargs)

    def changes(self) -> dict:
        """Only the values that differ from the challenge's, as the form showed them (to the minute)."""
        changed = {}
        for name in AMENDABLE_IN_ORDER:
            value, current = _plain_text(self.cleaned_data.get(name)), _plain_text(getattr(self.challenge, name))
            if name == "bidding_closes_at" and value is not None:
                if value.replace(second=0, microsecond=0) == current.replace(second=0, microsecond=0):
                    continue
            if value != current:
                changed[name] = value
        return changed


# Small forms on the detail page ----------------------------------------------------------


class ReturnForm(ChallengeStyledForm, forms.Form):
    comment = forms.CharField(label=_("What needs to change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CancelForm(ChallengeStyledForm, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Every bidder will read it."),
    )


class QuestionForm(ChallengeStyledForm, forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("The answer is published for everyone; your name and organisation are not."),
    )


class AnswerForm(ChallengeStyledForm, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)


class NdaForm(ChallengeStyledForm, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Sign for"), queryset=Organisation.objects.none(), empty_label=None)
    agree = forms.BooleanField(label=_("I have read the NDA and agree to it for my organisation."))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk


class SubscriptionForm(ChallengeStyledForm, forms.Form):
    fields = forms.ModelMultipleChoiceField(
        label=_("Technical fields"),
        queryset=TechnicalField.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("We notify your organisation's members when a challenge in one of these fields is published."),
    )


# The public list's filters ------------------------------------------------------------------


class OnlyWhenTicked(forms.CheckboxInput):
    """A checkbox for a yes-or-any filter: unticked means "any", not "no"."""

    def value_from_datadict(self, data, files, name):
        return {"true": True, "on": True, "1": True, "false": False, "0": False}.get(data.get(name))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (a checkbox option is one, wrap_label being off)."""
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str:
    """django/forms/widgets/select.html with its select_option.html, in Python."""
    out = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{escape(group)}">')
        for option in options:
            # The included option template ends with a newline, which the output keeps.
            label = escape(option["label"])
            out.append(f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class _PlainHtml:
    """Writes the list filters' option markup directly instead of one template render per option.

    The public list is the busiest page and its filters have some fifty options (fields,
    states, agencies), each a template render with an attribute loop: about a third of the
    page's CPU time (bench/README.md). The markup is Django's own, byte for byte
    (tests/challenges/test_pages.py compares it); other templates still go to the renderer.
    """

    direct = {}

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        write = self.direct.get(template_name)
        if write is None or widget.get("wrap_label"):
            return super()._render(template_name, context, renderer)
        return mark_safe(write(widget))  # noqa: S308 - every value is escaped above


class Plain:
    """The widgets keep Django's class names: templates tell them apart by `widget_type`."""

    class CheckboxSelectMultiple(_PlainHtml, forms.CheckboxSelectMultiple):
        direct = {"django/forms/widgets/checkbox_option.html": _input}

    class Select(_PlainHtml, forms.Select):
        direct = {"django/forms/widgets/select.html": _select}


class _FilterWidgets(forms.Form):
    """Friendlier widgets than django-filter's defaults, swapped in before the styling runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        for name in ("field", "status"):
            fields[name].widget = Plain.CheckboxSelectMultiple(choices=fields[name].choices)
        fields["status"].widget.choices = [c for c in Challenge.Status.choices if c[0] in Challenge.PUBLIC_STATES]
        # (Not "ordering": django-filter's widget there reads comma-separated values.)
        fields["issuer"].widget = Plain.Select(attrs=fields["issuer"].widget.attrs, choices=fields["issuer"].widget.choices)
        fields["open_now"].widget = OnlyWhenTicked()
        for name in ("closes_after", "closes_before"):
            fields[name].widget = _datetime_input()
        for name in ("funding_min", "funding_max"):
            fields[name].widget.attrs.update(min="0", step="any", inputmode="decimal")
        fields["issuer"].empty_label = _("Any agency")
        fields["ordering"].widget.choices = ChallengeFilterForm.SORTS
        fields["q"].widget.attrs.update(type="search", placeholder=_("Title, summary or field"))


class ChallengeFilterForm(ChallengeStyledForm, _FilterWidgets):
    SORTS = [
        ("", _("Newest first")),
        ("deadline", _("Deadline, soonest first")),
        ("-funding", _("Funding, highest first")),
        ("funding", _("Funding, lowest first")),
    ]
    MORE = ("field", "status", "issuer", "funding_min", "funding_max", "closes_after", "closes_before", "open_now")

    def clean_closes_after(self):
        return self._sane_date("closes_after")

    def clean_closes_before(self):
        return self._sane_date("closes_before")

    def _sane_date(self, name):
        # Year 1 or 9999 in Beijing time is out of range in UTC: the query itself would crash.
        value = self.cleaned_data.get(name)
        if value is not None and not 1900 <= value.year <= 9000:
            raise forms.ValidationError(_("Enter a date between the years 1900 and 9000."), code="out_of_range")
        return value

    def has_more_filters(self) -> bool:
        """Whether any filter beyond the search box is set: then they are shown unfolded."""
        return self.is_bound and any(self.data.get(name) for name in self.MORE)


class PublicChallengeFilter(ChallengeFilter):
    class Meta(ChallengeFilter.Meta):
        form = ChallengeFilterForm

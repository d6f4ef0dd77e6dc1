"""Forms of the bid pages. They check what was typed; the services in submissions decide.

Each editor section is one form. A section made of rows (team, budget lines, milestones,
commitments) is an outer form holding a formset in `rows`: the outer form takes the service's
errors, `is_valid()` covers both, and `row_data()` gives the rows the service expects.
"""

from decimal import Decimal

from django import forms
from django.forms import formset_factory, model_to_dict
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from submissions.models import Bid, BudgetLine, KeyPerson, PlannedMilestone

from .forms import StyledForm

MAX_ROWS = 50


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def plain_number(value) -> str:
    """A stored decimal as people write it: 0.100000 → 0.1, 20.00 → 20."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(values: dict) -> dict:
    """Saved values for the inputs, decimals without their trailing zeros."""
    return {k: plain_number(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _sum(rows: list[dict], key: str) -> Decimal:
    return sum((Decimal(str(row.get(key) or 0)) for row in rows), Decimal(0))


def _with_organisation_id(row: dict) -> dict:
    """The services name the organisation by id."""
    row = dict(row)
    row["organisation_id"] = row.pop("organisation")
    return row


def _tick() -> forms.CheckboxInput:
    return forms.CheckboxInput(attrs={"class": "form-check-input"})


def organisation_choices(bid: Bid) -> list[tuple[int, str]]:
    """The lead and every partner not yet declined: who may hold budget lines and key people."""
    partners = [p.organisation for p in bid.partners.all() if p.status != p.Status.DECLINED]
    return [(org.pk, org.name) for org in [bid.lead, *partners]]


class BidCreateForm(StyledForm, forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead organisation"), queryset=Organisation.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Bid title"), max_length=200)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations


class ApproachForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Bid
        fields = ["title", "technical_approach", "team_description", "prior_achievements"]
        widgets = {"technical_approach": _text(8), "team_description": _text(4), "prior_achievements": _text(4)}

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        return cls(data, initial=model_to_dict(bid, cls._meta.fields), prefix="approach")


class RowsFormSet(forms.BaseFormSet):
    """Rows without ids: the service replaces them all. A row left blank is simply dropped."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")
            form.fields["DELETE"].widget = _tick()

    def row_data(self) -> list[dict]:
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class RowsMixin:
    """Put a formset of rows inside a form; mix in before StyledForm."""

    formset_class: type[forms.BaseFormSet]
    rows_prefix: str

    def __init__(self, data=None, files=None, *, rows_initial=None, row_kwargs=None, formset_kwargs=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.rows = self.formset_class(
            data if self.is_bound else None,
            initial=None if self.is_bound else rows_initial,
            prefix=self.rows_prefix,
            form_kwargs=row_kwargs or {},
            **(formset_kwargs or {}),
        )

    def is_valid(self) -> bool:
        own, rows = super().is_valid(), self.rows.is_valid()
        return own and rows

    def row_data(self) -> list[dict]:
        return self.rows.row_data()

    def shown_rows(self) -> list[dict]:
        """The rows on screen, for totals: what was typed (once valid), else what is saved."""
        return list(self.rows.initial or []) if not self.is_bound else self.rows.row_data()

    def freeze(self) -> None:
        """Read-only: every field disabled and no blank row to fill."""
        self.rows.extra = 0
        for form in [self, *self.rows.forms]:
            for field in form.fields.values():
                field.disabled = True


def freeze(form: forms.BaseForm) -> None:
    """Make any section form read-only."""
    if isinstance(form, RowsMixin):
        form.freeze()
        return
    for field in form.fields.values():
        field.disabled = True


# Indicators ---------------------------------------------------------------------------------


class CommitmentForm(StyledForm, forms.Form):
    value = forms.DecimalField(
        label=_("Committed value"), max_digits=20, decimal_places=6, widget=forms.NumberInput(attrs={"step": "any"})
    )
    evidence = forms.CharField(label=_("How it will be shown"), required=False, widget=_text(2), max_length=4000)

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.target = plain_number(indicator.target_value)


class CommitmentFormSet(RowsFormSet):
    """One row per indicator of the challenge, whatever the management form says."""

    def __init__(self, *args, indicators=(), **kwargs):
        self.indicators = list(indicators)
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.indicators)

    def initial_form_count(self) -> int:
        return len(self.indicators)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "indicator": self.indicators[index]}

    def row_data(self) -> list[dict]:
        return [
            {"indicator": form.indicator.pk, **form.cleaned_data}
            for form in self.forms
            if form.cleaned_data  # a blank row is an indicator not committed yet
        ]


class CommitmentsForm(RowsMixin, StyledForm, forms.Form):
    formset_class = formset_factory(CommitmentForm, formset=CommitmentFormSet, extra=0)
    rows_prefix = "commitments"

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        indicators = list(bid.challenge.indicators.all())
        saved = {c.indicator_id: c for c in bid.commitments.all()}
        initial = [
            _plain({"value": saved[i.pk].value, "evidence": saved[i.pk].evidence}) if i.pk in saved else {} for i in indicators
        ]
        return cls(data, rows_initial=initial, formset_kwargs={"indicators": indicators})


# Team ---------------------------------------------------------------------------------------


class OrganisationRowForm(StyledForm, forms.ModelForm):
    """A row that belongs to the lead or a partner, chosen from the bid's organisations."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.choices = [*([("", "—")] if not field.required else []), *organisations]
        if field.required and organisations:
            field.initial = organisations[0][0]


class KeyPersonForm(OrganisationRowForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False, empty_value=None)

    class Meta:
        model = KeyPerson
        fields = ["name", "role", "title", "expertise", "is_leader"]
        widgets = {"is_leader": _tick()}


class TeamForm(RowsMixin, StyledForm, forms.Form):
    formset_class = formset_factory(
        KeyPersonForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )
    rows_prefix = "team"

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        initial = [{**model_to_dict(p, KeyPersonForm._meta.fields), "organisation": p.organisation_id} for p in bid.team.all()]
        return cls(data, rows_initial=initial, row_kwargs={"organisations": organisation_choices(bid)})

    def row_data(self) -> list[dict]:
        return [_with_organisation_id(row) for row in super().row_data()]


# Budget -------------------------------------------------------------------------------------


class BudgetLineForm(OrganisationRowForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "government_amount", "own_amount"]


class BudgetForm(RowsMixin, StyledForm, forms.ModelForm):
    formset_class = formset_factory(
        BudgetLineForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )
    rows_prefix = "lines"

    class Meta:
        model = Bid
        fields = ["requested_funding", "own_funding"]

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        initial = [
            _plain({**model_to_dict(line, BudgetLineForm._meta.fields), "organisation": line.organisation_id})
            for line in bid.budget_lines.all()
        ]
        form = cls(
            data,
            initial=_plain(model_to_dict(bid, cls._meta.fields)),
            rows_initial=initial,
            row_kwargs={"organisations": organisation_choices(bid)},
            prefix="budget",
        )
        form.cofunding_ratio = plain_number(bid.challenge.cofunding_ratio)
        return form

    def row_data(self) -> list[dict]:
        return [_with_organisation_id(row) for row in super().row_data()]

    def totals(self) -> dict:
        rows = self.shown_rows()
        return {"government": _sum(rows, "government_amount"), "own": _sum(rows, "own_amount")}


# Milestones ---------------------------------------------------------------------------------


class MilestoneForm(StyledForm, forms.ModelForm):
    class Meta:
        model = PlannedMilestone
        fields = ["title", "deliverables", "due_month", "tranche_percent"]
        widgets = {"deliverables": _text(2)}


class MilestonesForm(RowsMixin, StyledForm, forms.Form):
    formset_class = formset_factory(
        MilestoneForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )
    rows_prefix = "milestones"

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        initial = [_plain(model_to_dict(m, MilestoneForm._meta.fields)) for m in bid.milestones.all()]
        return cls(data, rows_initial=initial)

    def tranche_total(self):
        return _sum(self.shown_rows(), "tranche_percent")


# Partners, files, pledge --------------------------------------------------------------------


class PartnerInviteForm(StyledForm, forms.Form):
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_("The 18-character code of the partner organisation; it must be registered on the platform."),
    )
    work_split = forms.CharField(label=_("Work split"), required=False, widget=_text(2), max_length=4000)
    budget_share = forms.DecimalField(
        label=_("Budget share (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=0
    )

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        return cls(data, prefix="partner")

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        self.organisation = Organisation.objects.filter(credit_code=code).first()
        if self.organisation is None:
            raise forms.ValidationError(_("No organisation with this code is registered on the platform."))
        return code


class AttachmentForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office document, image or zip archive."))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        return cls(data, files, prefix="file")


class PledgeForm(StyledForm, forms.Form):
    agree = forms.BooleanField(
        label=_("I make this pledge on behalf of the lead organisation and every partner."),
        widget=_tick(),
        error_messages={"required": _("Tick the box to sign the pledge.")},
    )

    @classmethod
    def for_bid(cls, bid: Bid, data=None, files=None):
        return cls(data, initial={"agree": bid.integrity_pledged_at is not None}, prefix="pledge")


class ActionForm(forms.Form):
    """No fields: it carries a button's errors (submit, withdraw, remove) back to the page."""

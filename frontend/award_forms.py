"""Forms of the award pages. They check what was typed; the services in awards decide."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from awards.models import MONEY
from awards.services import MAX_EVIDENCE
from core.files import check_upload

from .bid_forms import RowsFormSet, RowsMixin, plain_number
from .forms import StyledForm


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class AwardForm(StyledForm, forms.Form):
    """StyledForm, with radio buttons and tick boxes styled as Bootstrap checks rather than text inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


class ActionForm(AwardForm):
    """A button with nothing to type: it only carries the service's error back to the page."""


class ReasonForm(AwardForm):
    reason = forms.CharField(label=_("Reason"), widget=_text(3), max_length=4000)


# Decision and publicity ---------------------------------------------------------------------------


class DecisionForm(AwardForm):
    """Pick the winner(s) from the ranking; the service asks for the reason when the choice departs from it."""

    bids = forms.MultipleChoiceField(label=_("Winners"), widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(
        label=_("Reason for departing from the ranking"),
        required=False,
        widget=_text(4),
        max_length=4000,
        help_text=_("Required when you do not choose the top of the ranking."),
    )

    def __init__(self, *args, ranking: list[dict], max_winners: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_winners = max_winners
        self.fields["bids"].choices = [(str(row["bid"].pk), row["bid"].title) for row in ranking]

    def clean_bids(self) -> list[str]:
        chosen = self.cleaned_data["bids"]
        if len(chosen) > self.max_winners:
            raise forms.ValidationError(
                _("This challenge has at most %(n)s winner(s).") % {"n": self.max_winners}, code="too_many"
            )
        return chosen


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to MAX_EVIDENCE files, each checked by its content before anything is saved."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > MAX_EVIDENCE:
            raise ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_EVIDENCE})
        problems = []
        for upload in uploads:
            try:
                check_upload(upload)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        return uploads


class ObjectionForm(AwardForm):
    real_name = forms.CharField(
        label=_("Your real name"),
        max_length=100,
        help_text=_("Anonymous objections are not accepted. Only the platform operators see who objected."),
    )
    contact = forms.CharField(label=_("How to contact you"), max_length=100, help_text=_("Phone or email."))
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )
    grounds = forms.CharField(label=_("Grounds of the objection"), widget=_text(5), max_length=10000)
    files = EvidenceField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Optional: up to 5 PDFs, Office documents, images or zip archives. Only operators see them."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None or not organisations.exists():
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations


class DownSelectForm(AwardForm):
    position = forms.TypedChoiceField(label=_("Down-select milestone"), coerce=int)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(m.position, f"{m.position + 1}. {m.title}") for m in milestones]


class ResolveForm(AwardForm):
    outcome = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("dismiss", _("Dismiss: the award stands")), ("uphold", _("Uphold: revoke the award"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=_text(3), max_length=4000)


# The contract ---------------------------------------------------------------------------------------


class MilestoneRowForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    tranche_amount = _money(_("Tranche (CNY)"))
    deliverables = forms.CharField(label=_("Deliverables"), required=False, widget=_text(2), max_length=4000)

    def __init__(self, *args, horse_race: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if horse_race:
            self.fields["is_down_select"] = forms.BooleanField(
                label=_("Down-select (horse race)"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields["keep_best"] = forms.IntegerField(
                label=_("Teams kept at the down-select"), min_value=1, initial=1, required=False
            )

    def clean_keep_best(self) -> int:
        return self.cleaned_data.get("keep_best") or 1


class ContractForm(RowsMixin, StyledForm, forms.Form):
    """The plan before anyone signs: every milestone with its tranche; the service checks the sum."""

    formset_class = forms.formset_factory(
        MilestoneRowForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=30, validate_max=True
    )
    rows_prefix = "milestones"

    first_tranche_on_signing = forms.BooleanField(
        label=_("The first tranche falls due on signing"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    @classmethod
    def for_contract(cls, contract, data=None):
        horse_race = contract.award.challenge.funding_mode == "horse_race"
        fields = ["title", "due_date", "tranche_amount", "deliverables"]
        fields += ["is_down_select", "keep_best"] if horse_race else []
        initial = [
            {f: plain_number(getattr(m, f)) if f == "tranche_amount" else getattr(m, f) for f in fields}
            for m in contract.milestones.all()
        ]
        return cls(
            data,
            initial={"first_tranche_on_signing": contract.first_tranche_on_signing},
            rows_initial=initial,
            row_kwargs={"horse_race": horse_race},
        )

    def tranche_total(self) -> Decimal:
        return sum((Decimal(str(row.get("tranche_amount") or 0)) for row in self.shown_rows()), Decimal(0))


class SignForm(AwardForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExtensionForm(AwardForm):
    months = forms.IntegerField(
        label=_("Extension (months)"),
        min_value=1,
        max_value=settings.EXTENSION_MAX_MONTHS,
        help_text=_("Granted once per contract; the open milestones move by as many months."),
    )
    reason = forms.CharField(label=_("Reason"), widget=_text(3), max_length=4000)


class TerminationForm(AwardForm):
    outcome = forms.ChoiceField(
        label=_("Termination"),
        choices=[
            ("excused", _("Excused: good-faith failure, no penalty")),
            ("at_fault", _("At fault: funds recovered, possibly a ban")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=_text(3), max_length=4000)
    recover_amount = _money(_("Amount to recover (CNY)"))
    ban_years = forms.IntegerField(
        label=_("Ban from bidding (years)"),
        min_value=0,
        max_value=10,
        initial=0,
        help_text=_("For fraud only. Zero for none."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recover_amount"].initial = 0
        self.fields["recover_amount"].help_text = _("At most what was paid; zero when excused.")


class PaidForm(AwardForm):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Bank reference"), "class": "form-control-sm"}),
    )


# Milestones -------------------------------------------------------------------------------------------


class DeliveryForm(AwardForm):
    """The report and one measured value per indicator of the challenge, as `indicator_<pk>` fields."""

    report = forms.CharField(label=_("Report"), widget=_text(6), max_length=20000)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            target = f"{indicator.get_comparison_display()} {plain_number(indicator.target_value)} {indicator.unit}"
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name,
                max_digits=20,
                decimal_places=6,
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control"}),
                help_text=_("Target: %(target)s") % {"target": target.strip()},
            )

    def measurements(self) -> dict[int, Decimal]:
        return {i.pk: self.cleaned_data[f"indicator_{i.pk}"] for i in self.indicators}


class AcceptanceForm(AwardForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("pass", _("Pass: release the tranche")),
            ("rectify", _("Rectify: once, within the set time")),
            ("fail", _("Fail")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=_text(3), max_length=4000)

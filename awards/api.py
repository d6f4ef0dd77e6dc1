"""The awards REST API: one small view per operation. Each fetches through an access helper (404
for what the caller may not know of), validates the shape, calls one service and serializes; the
services check the actor again (403) and the state (409)."""

import csv

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, Organisation
from accounts.rules import roles_by_org
from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from core.files import download_response
from core.opaque import encode
from submissions.models import Bid

from . import selectors, services
from .models import Award, Contract
from .serializers import (
    AcceptanceInput,
    AwardDetailSerializer,
    AwardSerializer,
    ContractInput,
    ContractSerializer,
    DecisionInput,
    DecisionNoneInput,
    DecisionSerializer,
    DeliveryInput,
    DeliverySerializer,
    DisbursementSerializer,
    DownSelectInput,
    DownSelectSerializer,
    ExtensionInput,
    MilestoneSerializer,
    ObjectionInput,
    ObjectionSerializer,
    ObjectionsSerializer,
    PaidInput,
    ResolveInput,
    SignInput,
    TerminateInput,
    TransparencySerializer,
)
from .serializers import (
    ChallengeRef as ChallengeRefSerializer,
)

CONFLICT = OpenApiResponse(description="The object's state does not allow this (`code` says why).")


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _require(user, perm: str, obj=None) -> None:
    """Permission before the body: a role that may never act is refused (403) whatever it sends.
    Reads use it too, having no service to refuse them. The services check again."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


# The public notice ------------------------------------------------------------------------------


class AwardFilter(django_filters.FilterSet):
    challenge = django_filters.UUIDFilter(field_name="challenge_id")
    status = django_filters.ChoiceFilter(choices=Award.Status.choices)

    class Meta:
        model = Award
        fields = ["challenge", "status"]


class AwardList(generics.ListAPIView):
    """Awards in publicity or final, newest decision first; insiders also see their own revoked ones."""

    permission_classes = [AllowAny]
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    queryset = Award.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.award_list(self.request.user)

    @extend_schema(responses=AwardSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AwardDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=AwardDetailSerializer)
    def get(self, request, pk):
        """The public notice; the agency, the winner and operators also get the contract and its money."""
        award = selectors.award_for(request.user, pk)
        contract = selectors.insider_contract(request.user, award)
        return Response(AwardDetailSerializer(award, context={"contract": contract}).data)


# The decision ----------------------------------------------------------------------------------------


def _decision(request, pk, status_code: int = status.HTTP_200_OK) -> Response:
    decision = selectors.decision_for(request.user, pk)
    context = {"insider": selectors.sees_decision_reasons(request.user, decision)}
    return Response(DecisionSerializer(decision, context=context).data, status=status_code)


def _challenge(user, pk) -> Challenge:
    try:
        return challenge_selectors.challenge_for(user, pk)
    except Http404:
        raise ValidationError({"challenge": _("No such challenge.")}) from None


def _approver_somewhere(user) -> None:
    """The challenge travels in the body: before reading it, refuse whoever approves for no agency."""
    if Membership.Role.APPROVER not in roles_by_org(user).values():
        raise PermissionDenied


def _bids(challenge: Challenge, ids: list) -> list[Bid]:
    found = Bid.objects.filter(challenge=challenge).in_bulk(ids)
    if len(found) != len(set(ids)):
        raise ValidationError({"bids": _("Choose among the ranked bids, each once.")})
    return [found[pk] for pk in ids]


class DecisionCreate(APIView):
    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer, 409: CONFLICT})
    def post(self, request):
        """The approver proposes the winner(s) from the ranking and opens the publicity period.
        Departing from the ranking needs the written `reason`."""
        _approver_somewhere(request.user)
        data = _validated(DecisionInput, request)
        challenge = _challenge(request.user, data["challenge"])
        decision = services.decision_propose(
            challenge=challenge, actor=request.user, bids=_bids(challenge, data["bids"]), reason=data["reason"]
        )
        return _decision(request, decision.pk, status.HTTP_201_CREATED)


class DecisionNone(APIView):
    @extend_schema(request=DecisionNoneInput, responses={200: ChallengeRefSerializer, 409: CONFLICT})
    def post(self, request):
        """No bid is acceptable (流榜): the approver closes the challenge unawarded, saying why; the agency
        may then re-issue it."""
        _approver_somewhere(request.user)
        data = _validated(DecisionNoneInput, request)
        challenge = _challenge(request.user, data["challenge"])
        challenge = services.decision_none(challenge=challenge, actor=request.user, reason=data["reason"])
        return Response(ChallengeRefSerializer(challenge).data)


class DownSelect(APIView):
    @extend_schema(request=DownSelectInput, responses={200: DownSelectSerializer, 409: CONFLICT})
    def post(self, request):
        """Horse race (赛马制): once every team's designated milestone is decided, keep the best
        teams by their acceptance scores; the others end as completed-eliminated."""
        _approver_somewhere(request.user)
        data = _validated(DownSelectInput, request)
        challenge = _challenge(request.user, data["challenge"])
        kept = services.down_select(challenge=challenge, actor=request.user, position=data["position"])
        return Response(DownSelectSerializer({"kept": [award.pk for award in kept]}).data)


class DecisionDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=DecisionSerializer)
    def get(self, request, pk):
        return _decision(request, pk)


# Objections ------------------------------------------------------------------------------------------


def _own_organisation(user, pk) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk, memberships__user=user).first()
    if organisation is None:
        raise ValidationError({"organisation": _("Choose one of your organisations.")})
    return organisation


class AwardObjections(APIView):
    """Everybody sees how many objections there are and their states; the identity of an objector
    only operators, and the objector."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ObjectionsSerializer)
    def get(self, request, pk):
        award = selectors.award_for(request.user, pk)
        return Response(ObjectionsSerializer(selectors.objections_overview(request.user, award)).data)

    @extend_schema(
        request={"application/json": ObjectionInput, "multipart/form-data": ObjectionInput},
        responses={201: ObjectionSerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        """File an objection during publicity, under a real name (anonymous ones are refused), with up
        to five evidence files (multipart `files`); a refused file saves nothing."""
        award = selectors.award_for(request.user, pk)
        data = _validated(ObjectionInput, request)
        objection = services.objection_file(
            award=award,
            actor=request.user,
            real_name=data["real_name"],
            contact=data["contact"],
            grounds=data["grounds"],
            organisation=_own_organisation(request.user, data.get("organisation")),
            evidence=data.get("files") or [],
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionResolve(APIView):
    @extend_schema(request=ResolveInput, responses={200: ObjectionSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """The operator dismisses the objection or upholds it (revoking the award)."""
        objection = selectors.objection_for(request.user, pk)
        _require(request.user, "awards.resolve_objection")
        data = _validated(ResolveInput, request)
        objection = services.objection_resolve(
            objection=objection, actor=request.user, uphold=data["uphold"], reason=data["reason"]
        )
        return Response(ObjectionSerializer(objection).data)


# The contract --------------------------------------------------------------------------------------------


def _contract_detail(request, pk) -> Response:
    return Response(ContractSerializer(selectors.contract_for(request.user, pk, detail=True)).data)


class ContractDetail(APIView):
    @extend_schema(responses=ContractSerializer)
    def get(self, request, pk):
        return _contract_detail(request, pk)

    @extend_schema(
        request=ContractInput,
        responses={
            200: ContractSerializer,
            400: OpenApiResponse(description="`fields.milestones` lists each problem, including the sum."),
            409: CONFLICT,
        },
    )
    def put(self, request, pk):
        """Replace the milestone plan before anyone signs; the tranches add up exactly to the award."""
        contract = selectors.contract_for(request.user, pk)
        _require(request.user, "awards.edit_contract", contract.award)
        data = _validated(ContractInput, request)
        services.contract_update(
            contract=contract,
            actor=request.user,
            milestones=[dict(row) for row in data["milestones"]],
            first_tranche_on_signing=data.get("first_tranche_on_signing"),
        )
        return _contract_detail(request, pk)


class ContractSign(APIView):
    @extend_schema(request=SignInput, responses={200: ContractSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Sign for your side the version you read; the contract is in force when both sides signed it."""
        contract = selectors.contract_for(request.user, pk)
        if not any(request.user.has_perm(p, contract.award) for p in ("awards.sign_for_agency", "awards.sign_for_winner")):
            raise PermissionDenied
        data = _validated(SignInput, request)
        services.contract_sign(contract=contract, actor=request.user, version=data["version"])
        return _contract_detail(request, pk)


class ContractExtension(APIView):
    @extend_schema(request=ExtensionInput, responses={200: ContractSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Grant the one extension (延期); the open milestones' due dates move with it."""
        contract = selectors.contract_for(request.user, pk)
        _require(request.user, "awards.grant_extension", contract.award)
        data = _validated(ExtensionInput, request)
        services.extension_grant(contract=contract, actor=request.user, months=data["months"], reason=data["reason"])
        return _contract_detail(request, pk)


class ContractTerminate(APIView):
    @extend_schema(request=TerminateInput, responses={200: ContractSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """End the contract: excused (no penalty) or at fault (recovery, and a ban for fraud)."""
        contract = selectors.contract_for(request.user, pk)
        _require(request.user, "awards.terminate", contract.award)
        data = _validated(TerminateInput, request)
        services.contract_terminate(award=contract.award, actor=request.user, **data)
        return _contract_detail(request, pk)


class _AnyAccept(BaseContentNegotiation):
    """A download answers whatever the client accepts; errors still render as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EvidenceDownload(APIView):
    """An objection's evidence file, for operators only; 404 for anyone else."""

    permission_classes = [AllowAny]
    content_negotiation_class = _AnyAccept

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")})
    def get(self, request, pk):
        evidence = selectors.evidence_for(request.user, pk)
        return download_response(evidence.file, name=evidence.name, content_type=evidence.content_type)


def _cell(value) -> str:
    """Spreadsheets run a cell that starts like a formula: quote it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _name(user) -> str:
    return user.full_name if user else ""


def ledger_csv(contract: Contract) -> HttpResponse:
    """The ledger as a spreadsheet: one row per disbursement, a blank row, then the totals."""
    ledger = selectors.ledger(contract.award)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-contract-{encode(contract.pk)}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Milestone"), _("Title"), _("Amount (CNY)"), _("Status"), _("Approved at"), _("Approved by")]
        + [_("Paid at"), _("Paid by"), _("Payment reference")]
    )
    for row in ledger["rows"]:
        cells = [row.milestone.position + 1, row.milestone.title, row.amount, row.get_status_display()]
        cells += [_moment(row.approved_at), _name(row.approved_by), _moment(row.paid_at), _name(row.paid_by)]
        writer.writerow([_cell(c) for c in [*cells, row.reference]])
    writer.writerow([])
    labels = {
        "award": _("Award"),
        "paid": _("Total paid"),
        "approved": _("Total approved, not yet paid"),
        "pending": _("Total awaiting approval"),
        "cancelled": _("Total cancelled"),
        "remaining": _("Remaining to pay"),
    }
    for key, label in labels.items():
        writer.writerow([_cell(label), "", ledger["totals"][key]])
    return response


class ContractLedger(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="v1_contracts_ledger_retrieve",
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Every disbursement, then the totals (UTF-8 with a BOM)."
            )
        },
    )
    def get(self, request, pk):
        """The payment ledger as CSV, for the issuing agency and operators."""
        contract = selectors.contract_for(request.user, pk)
        _require(request.user, "awards.view_ledger", contract.award)
        return ledger_csv(contract)


# Milestones and money -----------------------------------------------------------------------------------


class MilestoneDeliverables(APIView):
    @extend_schema(request=DeliveryInput, responses={201: DeliverySerializer, 409: CONFLICT})
    def post(self, request, pk):
        """The winner hands in the report and the measured value of each indicator for acceptance."""
        milestone = selectors.milestone_for(request.user, pk)
        _require(request.user, "awards.deliver", milestone.contract.award)
        data = _validated(DeliveryInput, request)
        delivery = services.delivery_submit(
            milestone=milestone,
            actor=request.user,
            report=data["report"],
            measurements={row["indicator"]: row["value"] for row in data["measurements"]},
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class MilestoneAcceptance(APIView):
    @extend_schema(request=AcceptanceInput, responses={200: MilestoneSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """pass (releases the tranche), rectify (once) or fail, with the reason."""
        milestone = selectors.milestone_for(request.user, pk)
        _require(request.user, "awards.decide_acceptance", milestone.contract.award)
        data = _validated(AcceptanceInput, request)
        milestone = services.acceptance_decide(
            milestone=milestone, actor=request.user, outcome=data["outcome"], reason=data["reason"]
        )
        return Response(MilestoneSerializer(milestone).data)


class DisbursementApprove(APIView):
    @extend_schema(request=None, responses={200: DisbursementSerializer, 409: CONFLICT})
    def post(self, request, pk):
        row = services.disbursement_approve(disbursement=selectors.disbursement_for(request.user, pk), actor=request.user)
        return Response(DisbursementSerializer(row).data)


class DisbursementMarkPaid(APIView):
    @extend_schema(request=PaidInput, responses={200: DisbursementSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Record the payment with the bank's reference; the platform keeps the ledger, it moves no money."""
        row = selectors.disbursement_for(request.user, pk)
        _require(request.user, "awards.record_payment")
        data = _validated(PaidInput, request)
        row = services.disbursement_mark_paid(disbursement=row, actor=request.user, reference=data["reference"])
        return Response(DisbursementSerializer(row).data)


# Transparency ----------------------------------------------------------------------------------------------


class Transparency(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=TransparencySerializer)
    def get(self, request):
        """Money by field and year, the shares of SMEs and consortia, and how far completed awards
        closed the gap between the domestic and the international level of each indicator."""
        return Response(TransparencySerializer(selectors.transparency()).data)

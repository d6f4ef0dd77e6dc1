from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import api

app_name = "awards"

urlpatterns = [
    path("awards/", api.AwardList.as_view(), name="award-list"),
    path("awards/<uuid:pk>/", api.AwardDetail.as_view(), name="award-detail"),
    path("awards/<uuid:pk>/objections/", api.AwardObjections.as_view(), name="award-objections"),
    path("decisions/", api.DecisionCreate.as_view(), name="decision-create"),
    path("decisions/none", api.DecisionNone.as_view(), name="decision-none"),
    path("decisions/down-select", api.DownSelect.as_view(), name="decision-down-select"),
    path("decisions/<uuid:pk>/", api.DecisionDetail.as_view(), name="decision-detail"),
    path("evidence/<oid:pk>/download", api.EvidenceDownload.as_view(), name="evidence-download"),
    path("objections/<oid:pk>/resolve", api.ObjectionResolve.as_view(), name="objection-resolve"),
    path("contracts/<oid:pk>/", api.ContractDetail.as_view(), name="contract-detail"),
    path("contracts/<oid:pk>/sign", api.ContractSign.as_view(), name="contract-sign"),
    path("contracts/<oid:pk>/extension", api.ContractExtension.as_view(), name="contract-extension"),
    path("contracts/<oid:pk>/terminate", api.ContractTerminate.as_view(), name="contract-terminate"),
    path("contracts/<oid:pk>/ledger.csv", api.ContractLedger.as_view(), name="contract-ledger"),
    path("milestones/<oid:pk>/deliverables/", api.MilestoneDeliverables.as_view(), name="milestone-deliverables"),
    path("milestones/<oid:pk>/acceptance", api.MilestoneAcceptance.as_view(), name="milestone-acceptance"),
    path("disbursements/<oid:pk>/approve", api.DisbursementApprove.as_view(), name="disbursement-approve"),
    path("disbursements/<oid:pk>/mark-paid", api.DisbursementMarkPaid.as_view(), name="disbursement-mark-paid"),
    path("transparency/", api.Transparency.as_view(), name="transparency"),
]

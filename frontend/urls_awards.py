from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from .views import awards

urlpatterns = [
    path("challenges/<uuid:pk>/decide/", awards.award_decide, name="award_decide"),
    path("challenges/<uuid:pk>/decide/none/", awards.award_decide_none, name="award_decide_none"),
    # The public notice (公示) and objections.
    path("awards/", awards.award_list, name="award_list"),
    path("awards/<uuid:pk>/", awards.award_detail, name="award_detail"),
    path("awards/<uuid:pk>/object/", awards.objection_file, name="objection_file"),
    path("awards/<uuid:pk>/down-select/", awards.award_down_select, name="award_down_select"),
    path("evidence/<oid:pk>/download/", awards.evidence_download, name="evidence_download"),
    path("objections/<oid:pk>/resolve/", awards.objection_resolve, name="objection_resolve"),
    # The task contract and its ledger.
    path("contracts/<oid:pk>/", awards.contract_detail, name="contract_detail"),
    path("contracts/<oid:pk>/edit/", awards.contract_edit, name="contract_edit"),
    path("contracts/<oid:pk>/sign/", awards.contract_sign, name="contract_sign"),
    path("contracts/<oid:pk>/extend/", awards.contract_extend, name="contract_extend"),
    path("contracts/<oid:pk>/terminate/", awards.contract_terminate, name="contract_terminate"),
    path("contracts/<oid:pk>/ledger.csv", awards.contract_ledger_csv, name="contract_ledger_csv"),
    path("disbursements/<oid:pk>/approve/", awards.disbursement_approve, name="disbursement_approve"),
    path("disbursements/<oid:pk>/paid/", awards.disbursement_paid, name="disbursement_paid"),
    # Milestones: delivery and acceptance.
    path("milestones/<oid:pk>/", awards.milestone_detail, name="milestone_detail"),
    path("milestones/<oid:pk>/deliver/", awards.milestone_deliver, name="milestone_deliver"),
    path("milestones/<oid:pk>/accept/", awards.milestone_accept, name="milestone_accept"),
    path("transparency/", awards.transparency, name="transparency"),
]

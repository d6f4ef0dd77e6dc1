"""The expert pool API (operators; an expert reaches their own profile and conflicts)."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_body
from core.api_fields import OpaqueIdFilter

from .. import selectors, services
from ..models import ExpertProfile
from ..serializers import (
    ConflictInput,
    ConflictSerializer,
    ExpertCreateInput,
    ExpertDetailSerializer,
    ExpertSerializer,
    ExpertUpdateInput,
    ImportFailureSerializer,
    ImportInput,
    ImportResultSerializer,
)
from .common import CONFLICT, require, validated


class ExpertFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the name, email or title.")
    field = django_filters.CharFilter(field_name="fields__code", help_text="A technical field code.")
    affiliation = OpaqueIdFilter(field_name="affiliation_id")
    tier = django_filters.TypedChoiceFilter(choices=ExpertProfile.Tier.choices, coerce=int)
    is_active = django_filters.BooleanFilter()
    available = django_filters.BooleanFilter(method="filter_available", help_text="Has room for more work.")
    ordering = django_filters.OrderingFilter(fields=(("user__full_name", "name"), ("load", "load"), ("tier", "tier")))

    class Meta:
        model = ExpertProfile
        fields = ["search", "field", "affiliation", "tier", "is_active", "available"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value) | Q(title__icontains=value))

    def filter_available(self, queryset, name, value):
        room = Q(load__lt=F("max_concurrent"))
        return queryset.filter(room) if value else queryset.exclude(room)


def _expert(request, pk, status_code=status.HTTP_200_OK) -> Response:
    expert = selectors.expert_for(request.user, pk)
    return Response(ExpertDetailSerializer(expert).data, status=status_code)


def _profile_changes(data: dict) -> tuple[dict, list | None]:
    fields = data.pop("fields", None)
    return data, fields


class ExpertList(generics.ListAPIView):
    """The expert pool (operators): search, filter by field, affiliation, tier and room; sort by load."""

    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    queryset = ExpertProfile.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        require(self.request.user, "reviews.manage_pool")
        return selectors.experts()

    @extend_schema(responses=ExpertSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ExpertCreateInput, responses={201: ExpertDetailSerializer, 409: CONFLICT})
    def post(self, request):
        """Add a person to the pool by email (a new account is created when needed)."""
        require(request.user, "reviews.manage_pool")
        data = validated(ExpertCreateInput, request)
        email, full_name = data.pop("email"), data.pop("full_name")
        data, fields = _profile_changes(data)
        expert = services.expert_create(actor=request.user, email=email, full_name=full_name, data=data, fields=fields)
        return _expert(request, expert.pk, status.HTTP_201_CREATED)


class ExpertDetail(APIView):
    @extend_schema(responses=ExpertDetailSerializer)
    def get(self, request, pk):
        return _expert(request, pk)

    @extend_schema(request=ExpertUpdateInput, responses=ExpertDetailSerializer)
    def patch(self, request, pk):
        """Operators change anything; an expert only the keywords, bio and title of their own profile."""
        expert = selectors.expert_for(request.user, pk)
        data, fields = _profile_changes(validated(ExpertUpdateInput, request, partial=True))
        services.expert_save(actor=request.user, user=expert.user, data=data, fields=fields)
        return _expert(request, pk)


class ExpertConflicts(APIView):
    @extend_schema(responses=ConflictSerializer(many=True))
    def get(self, request, pk):
        expert = selectors.expert_for(request.user, pk)
        conflicts = expert.declared_conflicts.select_related("organisation").order_by("-created_at", "pk")
        return Response(ConflictSerializer(conflicts, many=True).data)

    @extend_schema(request=ConflictInput, responses={201: ConflictSerializer})
    def post(self, request, pk):
        """Declare a conflict with an organisation or a person (回避); it excludes from then on."""
        expert = selectors.expert_for(request.user, pk)
        data = validated(ConflictInput, request)
        conflict = services.conflict_declare(expert=expert, actor=request.user, **data)
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)


class ExpertImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={200: ImportResultSerializer, 400: ImportFailureSerializer},
    )
    def post(self, request):
        """Import experts from CSV. Any bad row: 400 with every bad line, and nothing is imported."""
        require(request.user, "reviews.manage_pool")
        data = validated(ImportInput, request)
        result = services.experts_import_csv(actor=request.user, data=data["file"].read(), dry_run=data["dry_run"])
        body = {
            "dry_run": data["dry_run"],
            "created": result.created,
            "updated": result.updated,
            "errors": [{"line": line, "message": message} for line, message in result.errors],
        }
        if not result.errors:
            return Response(body)
        detail = _("%(n)s rows are invalid; nothing was imported.") % {"n": len(result.errors)}
        fields = {f"line {line}": [message] for line, message in result.errors}
        return Response(error_body("invalid_rows", detail, fields) | body, status=status.HTTP_400_BAD_REQUEST)

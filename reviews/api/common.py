"""Helpers the reviews API views share."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse

CONFLICT = OpenApiResponse(description="The object's state does not allow this (`code` says why).")


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def require(user, perm: str, obj=None) -> None:
    """Permission before the body (a role that may never act is refused whatever it sends), and for
    reads, which have no service to refuse them: a known object, a forbidden look."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied

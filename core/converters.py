"""The `oid` path converter: URLs carry opaque ids (core.opaque), views receive integer pks.

Registered on import; every urls module that uses `<oid:...>` imports this module. A string that
does not decode makes to_python raise ValueError, so the resolver answers 404.
drf-spectacular documents registered converters as strings with this regex as the pattern.
"""

from django.urls import register_converter

from . import opaque


class OpaqueIdConverter:
    regex = opaque.REGEX

    def to_python(self, value: str) -> int:
        return opaque.decode(value)

    def to_url(self, value) -> str:
        # reverse() and {% url %} get model pks (ints, sometimes numeric strings) or opaque ids already.
        if isinstance(value, str):
            if opaque.is_valid(value):
                return value
            if value.isdigit():
                return opaque.encode(int(value))
            raise ValueError(f"not an id: {value!r}")
        return opaque.encode(value)


register_converter(OpaqueIdConverter, "oid")

"""The error answers every API operation can give, written into the OpenAPI schema.

drf-spectacular documents only the success answer of each operation. Clients (and
schemathesis) need the failures too, all in the one shape of core.api.error_body.
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "A stable machine-readable code, e.g. invalid, not_found."},
        "detail": {"type": "string", "description": "A message for people, in the request's language."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input field; dotted names for nested input.",
        },
    },
    "required": ["code", "detail", "fields"],
}

COMMON = {
    "400": "The input is invalid; `fields` says where.",
    "401": "No valid credentials were given.",
    "403": "The caller may not do this.",
    "404": "No such object, or the caller may not know it exists.",
    "429": "Too many requests; try again later.",
}
WRITES = {
    "409": "The object's state does not allow this now (a rule of the process).",
    "413": "The request body is too large.",
    "415": "The content type is not supported.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    """Add the shared error responses to every operation that does not declare its own."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "head", "options", *WRITE_METHODS}:
                continue
            answers = dict(COMMON, **WRITES) if method in WRITE_METHODS else COMMON
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result

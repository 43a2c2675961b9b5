"""Completes the OpenAPI schema with the error answers every operation can give.

drf-spectacular documents success bodies from the serializers; the errors come
from shared machinery (authentication, permissions, filters, pagination,
throttling, conditional requests), so they are added here once for all
operations instead of on every view.
"""

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "A message about the request as a whole.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "Conflict": {
        "type": "object",
        "description": "Refused because of the record's state, which `state` names.",
        "properties": {"detail": {"type": "string"}, "state": {"type": "string"}},
        "required": ["detail", "state"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Field name (or non_field_errors) -> what is wrong with it.",
        "additionalProperties": {},
    },
}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of your last read of this record (or `*` to overwrite whatever is saved). "
    "A stale one answers 412, a missing one 428.",
    "schema": {"type": "string", "minLength": 1},
}


def _response(description, schema=None):
    response = {"description": description}
    if schema:
        response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return response


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            anonymous = operation.get("security") == [{}] or {} in operation.get("security", [])
            defaults = {
                "400": _response("Invalid parameters or body; each field says what is wrong.", "ValidationErrors"),
                "403": _response("Your role does not allow this.", "Error"),
                "404": _response("No such record (or not yours to change), or no such page.", "Error"),
                "429": _response("Too many requests (throttling) or sign-in attempts (lock-out).", "Error"),
            }
            if not anonymous or method == "delete":
                defaults["401"] = _response("No valid session or token.", "Error")
            if method == "get":
                defaults["304"] = _response("Not modified: the ETag sent in If-None-Match is still current.")
            if method in ("put", "patch", "delete", "post") and "{" in path:
                defaults["412"] = _response("The record changed since the ETag sent in If-Match.", "Error")
                defaults["428"] = _response("If-Match is missing: send the ETag of your last read.", "Error")
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "If-Match" for p in parameters):
                    parameters.append(IF_MATCH)
            if method in ("put", "patch", "post"):
                defaults["413"] = _response("The request body is too large.", "Error")
            if method in ("put", "patch", "post", "delete") and not anonymous:
                defaults["409"] = _response(
                    "The state of a record does not allow this (e.g. adding to a submitted workplan).", "Conflict"
                )
            for status, response in defaults.items():
                responses.setdefault(status, response)
    return result

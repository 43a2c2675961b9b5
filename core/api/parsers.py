"""JSON request bodies: malformed or absurdly nested JSON is a 400, never a 500.

DRF's JSONParser turns a ValueError from `json` into a 400, but a body nested a
few thousand levels deep makes the decoder raise RecursionError, which became
a 500, before authentication too (`POST /api/v1/auth/token/`). This parser
answers both with a 400 and refuses bodies nested deeper than any request of
this API needs (MAX_DEPTH), so nothing further down (validation, copying,
logging) ever recurses through an attacker's structure.

It is the default parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest real request is a list of objects in an object (3 levels).
MAX_DEPTH = 32


def nesting_depth(data) -> int:
    """How deep lists and objects are nested in `data` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = _("JSON parse error - the body is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(too_deep)
        return data

"""Token authentication (django-rest-knox) in one query, compiled once.

knox's TokenAuthentication loads the token with its user, then, before
comparing digests, loads all the user's other tokens to delete the expired ones:
two queries on every API request. Here a request checks only its own token's
expiry (an expired token still answers 401 and is deleted); the user's other
expired tokens are deleted when a new token is issued (accounts.api.views.TokenView)
and can never authenticate meanwhile.

The lookup runs on every API request, so its SQL is built by the ORM once per
database connection and then only executed (`_candidates`): the ORM's compiling
and model building cost about 0.5 ms of CPU per request, three times the query.
Values still go through the ORM's converters, so they are what a queryset gives.
"""

import binascii
from hmac import compare_digest

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

# Stands for the token key while the ORM builds the statement; replaced by the real key's parameter.
_KEY = "\x00token-key\x00"


def _compile(connection):
    """(SQL, token fields, user fields, converters by column) of the lookup on `connection`."""
    token_model = get_token_model()
    user_model = token_model._meta.get_field("user").related_model
    token_fields = [field.attname for field in token_model._meta.concrete_fields]
    user_fields = [field.attname for field in user_model._meta.concrete_fields]
    queryset = token_model.objects.filter(token_key=_KEY).values_list(
        *token_fields, *(f"user__{name}" for name in user_fields)
    )
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if list(params) != [_KEY]:
        raise RuntimeError(f"Unexpected parameters in the token lookup: {params!r}")
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return sql, token_fields, user_fields, converters


def _candidates(token_key: str):
    """The tokens with this key (one, or none), each with its user, as a queryset would load them."""
    token_model = get_token_model()
    alias = router.db_for_read(token_model)
    connection = connections[alias]
    compiled = connection.__dict__.get("_token_lookup")
    if compiled is None:
        compiled = connection.__dict__["_token_lookup"] = _compile(connection)
    sql, token_fields, user_fields, converters = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_key])
        rows = cursor.fetchall()
    user_model = token_model._meta.get_field("user").related_model
    for row in rows:
        values = list(row)
        for index, (functions, expression) in converters.items():
            for function in functions:
                values[index] = function(values[index], expression, connection)
        token = token_model.from_db(alias, token_fields, values[: len(token_fields)])
        token.user = user_model.from_db(alias, user_fields, values[len(token_fields) :])
        yield token


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        invalid = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in _candidates(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(invalid) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(invalid)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The same security scheme in the OpenAPI schema as knox's own class has."""

    target_class = TokenAuthentication

"""Token authentication (django-rest-knox) in one query.

knox's TokenAuthentication loads the token with its user, then, before
comparing digests, loads all the user's other tokens to delete the expired ones:
two queries on every API request. Here a request checks only its own token's
expiry (an expired token still answers 401 and is deleted); the user's other
expired tokens are deleted when a new token is issued (accounts.api.views.TokenView)
and can never authenticate meanwhile.
"""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
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

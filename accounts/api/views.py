"""POST /api/v1/auth/token/: a user obtains a token; DELETE revokes the one presented."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import TokenAuthentication
from core.api.throttling import AddressRateThrottle


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'. Shown once; stored hashed.")
    expiry = serializers.DateTimeField(allow_null=True)


class SignInRateThrottle(AddressRateThrottle):
    """Guessing passwords through the token endpoint is slowed per address."""

    scope = "sign-in"

    def get_rate(self):
        return settings.API_SIGN_IN_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# Not one transaction per request: a failed attempt must stay recorded (for the
# lock-out and the security log) although the answer is an error.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TokenView(APIView):
    authentication_classes = [TokenAuthentication]
    throttle_classes = [SignInRateThrottle]

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        auth=[],
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="A field is missing or too long; each field says what is wrong."),
            401: OpenApiResponse(
                inline_serializer("SignInRefused", {"detail": serializers.CharField()}),
                description="Wrong username or password, or the account is disabled.",
            ),
        },
    )
    def post(self, request):
        # Errors are answered, not raised: raising would make DRF roll back the
        # failure that django-axes and the security log just recorded.
        credentials = CredentialsSerializer(data=request.data)
        if not credentials.is_valid():
            return Response(credentials.errors, status=status.HTTP_400_BAD_REQUEST)
        # django-axes marks the Django request (not DRF's wrapper) when it locks out.
        user = authenticate(request._request, **credentials.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"detail": _("Unable to sign in with these credentials.")},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Token realm="api"'},
            )
        # The user's expired tokens go now (authentication checks only the token it is given).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token is revoked."),
            400: inline_serializer("NoToken", {"detail": serializers.CharField()}),
        },
    )
    def delete(self, request):
        if not isinstance(request.auth, AuthToken):
            return Response({"detail": _("Send the token to revoke in the Authorization header.")}, status=400)
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

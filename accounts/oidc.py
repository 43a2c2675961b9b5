"""Optional single sign-on with an agency's OpenID Connect provider (mozilla-django-oidc).

Off unless OIDC_RP_CLIENT_ID is set (settings.py). A person signing in this way is matched by
e-mail address to the account they already have (invited, or made by the Secretariat): the
provider proves who they are, the portal's roles still come from their person record. New
accounts are made only with OIDC_CREATE_USER=true, and then have no role (viewers) until
invited or approved.
"""

from django.db.models import Q
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            return self.UserModel.objects.none()
        return User.objects.filter(Q(email__iexact=email) | Q(person__email__iexact=email), is_active=True).distinct()

    def create_user(self, claims):
        user = super().create_user(claims)
        user.first_name = (claims.get("given_name") or "")[:150]
        user.last_name = (claims.get("family_name") or "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user

"""The signed-in user's chosen language, for the portal's pages."""

from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    """After authentication: a signed-in user who chose a language (preferences) sees the portal in
    it, unless they switched language in this browser (the language cookie, which wins). The API
    keeps following Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "language", "")
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/api/")
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

"""Predicates about the user alone. Team and workplan rules build on these.

The portal's rules are django-rules predicates, one module per app, each next
to the records it guards (`teams/rules.py`, `workplans/rules.py`,
`reports/rules.py`). Views, API endpoints, services and jobs call a rule
directly (`edit_workplan.test(user, workplan)`); each is also registered as a
Django permission `portal.<name>` so `user.has_perm` gives the same answer.
"""

import rules


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_secretariat(user) -> bool:
    return bool(user.is_authenticated and (user.is_secretariat or user.is_superuser) and user.is_active)


def register(names_and_rules: dict) -> None:
    """Expose rules as Django permissions `portal.<name>` (admin, `has_perm`)."""
    for name, rule in names_and_rules.items():
        rules.set_perm(f"portal.{name}", rule)

"""The write path's shared step: lock the row, then check the writer's precondition.

Every service that changes an existing record starts here, whether the call
comes from a portal form, the API, an import or a job. The row lock makes
concurrent writers queue; the precondition (the form's version, the API's
If-Match) is then checked against what is saved now, so the second of two
writers that read the same version is refused instead of silently winning.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet

Precondition = Callable[[Model], None]


class StateConflict(PermissionDenied):
    """The writer's role allows the change but the record's state does not (a submitted plan, say).

    The API answers 409 Conflict with the message and the state; the portal's
    403 page shows the message.
    """

    def __init__(self, message: str, state: str = ""):
        super().__init__(message)
        self.state = state


def require(rule, role, user, obj, *, role_message: str, state_message: str, state: str = "") -> None:
    """Refuse unless `rule` allows `user` on `obj`: 403 when the role is wrong, 409 when only the state is."""
    if rule.test(user, obj):
        return
    if not role.test(user, obj):
        raise PermissionDenied(role_message)
    raise StateConflict(state_message, state)


def lock_for_write(queryset: QuerySet, pk, precondition: Precondition | None = None):
    """The record `pk`, locked until the transaction ends, after `precondition(record)` accepted it.

    Must run inside a transaction. The precondition raises (an edit conflict,
    a failed If-Match) when the writer's view of the record is out of date.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_write needs a transaction (decorate the service with transaction.atomic)")
    record = queryset.select_for_update(of=("self",)).get(pk=pk)
    if precondition is not None:
        precondition(record)
    return record

"""PostgreSQL as Django's backend, with a health check that costs no round trip while the server is quiet.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every
request on a reused connection: one round trip per request for an event (the
server dropping the connection) that is rare and that announces itself. When
PostgreSQL ends a connection (restart, failover, pg_terminate_backend, idle
timeout) it sends a last message and closes its end, so the connection's
socket becomes readable while we are not waiting for any answer. The check
below asks the socket (select with no timeout, a system call, no traffic) and
only when something did arrive runs Django's own check (`SELECT 1`), which then
finds the connection dead and opens a new one before the request's first query,
as before. A connection that errored during a request is still tested the full
way at the request's end (Django's `close_if_unusable_or_obsolete`).
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self._quiet():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Nothing arrived on the idle connection (an ended connection has sent its goodbye or EOF)."""
        connection = self.connection
        try:
            if connection.closed:
                return False
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError, AttributeError):
            return False
        return not readable

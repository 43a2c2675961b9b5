"""Hot read statements the ORM compiles once per database connection, then only executes.

Building SQL from a queryset (resolving lookups and joins, compiling every
column) costs far more CPU than running the statement: an activity's payload
(workplans.selectors.activity_payloads, three statements) spent 3.5 ms of CPU
compiling and 0.2 ms executing. A statement written here is compiled by the
ORM the first time a connection runs it, with stand-in values for its
parameters; later calls put the real values in the stand-ins' places and execute
the same SQL. The rows go through the converters the queryset would apply, so
they are what the queryset gives (`dicts` as `.values()`, `tuples` as
`.values_list()`).

The SQL must not depend on the value: a single id, or a list of ids passed as
one array parameter (`id_in` on PostgreSQL). Where it would
(an `IN (...)` list on SQLite), `fixed_shape` is False and the queryset runs as
usual.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection as default_connection
from django.db import connections, router
from django.db.models import F, Lookup, Q, QuerySet

# Stands for the parameter while the ORM compiles; no row has this id. Within the range of a 32-bit key:
# Django refuses to compile a lookup with an integer its field cannot hold (EmptyResultSet).
STAND_IN = -2_013_265_917


class Statement:
    """`build(*values) -> QuerySet` (values() or values_list()), compiled once per connection.

    `stand_ins`: what `build` is given while compiling, one per value (default `STAND_IN`, one id;
    `[STAND_IN]` for a list of ids; for other values, values their fields accept, distinct from each
    other and from the statement's constant parameters); each must reach the SQL as a parameter unchanged.
    `fixed_shape(connection)` says whether the SQL is the same for every value there."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *stand_ins: object,
        fixed_shape: Callable[[object], bool] = lambda connection: True,
        name: str = "",
    ):
        self.build = build
        self.stand_ins = stand_ins or (STAND_IN,)
        self.fixed_shape = fixed_shape
        # Where the connection keeps it: the building function's name, or `name` for statements made in a loop.
        self.key = f"_statement:{name or f'{build.__module__}.{build.__qualname__}'}"

    def _compiled(self, connection):
        compiled = connection.__dict__.get(self.key)
        if compiled is None:
            compiled = connection.__dict__[self.key] = self._compile(connection)
        return compiled

    def _compile(self, connection):
        query = self.build(*self.stand_ins).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []  # (position in the parameters, which value goes there)
        for which, stand_in in enumerate(self.stand_ins):
            found = [(index, which) for index, param in enumerate(params) if param == stand_in]
            if not found:
                raise RuntimeError(f"{self.key}: value {which} is not a parameter of the statement: {params!r}")
            slots += found
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, params, slots, compiler.col_count, converters, names

    def _rows(self, values: tuple) -> tuple[list[tuple], list[str]] | None:
        alias = router.db_for_read(self._model())
        connection = connections[alias]
        if not self.fixed_shape(connection):
            return None
        sql, params, slots, width, converters, names = self._compiled(connection)
        params = list(params)
        for index, which in slots:
            params[index] = values[which]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return [row[:width] for row in rows], names
        converted = []
        for row in rows:
            row_values = list(row[:width])
            for index, (functions, expression) in converters.items():
                for function in functions:
                    row_values[index] = function(row_values[index], expression, connection)
            converted.append(tuple(row_values))
        return converted, names

    def tuples(self, *values) -> list[tuple]:
        """The rows, as `.values_list()` gives them."""
        found = self._rows(values)
        if found is None:
            return [tuple(row) for row in self.build(*values)]
        return found[0]

    def dicts(self, *values) -> list[dict]:
        """The rows, as `.values()` gives them."""
        found = self._rows(values)
        if found is None:
            return list(self.build(*values))
        rows, names = found
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _model(self):
        model = self.__dict__.get("model")
        if model is None:
            model = self.__dict__["model"] = self.build(*self.stand_ins).model
        return model


def statement(*stand_ins: object, fixed_shape: Callable[[object], bool] = lambda connection: True):
    """Decorator: the function building the queryset becomes a `Statement` (see its arguments)."""

    def decorate(build):
        return Statement(build, *stand_ins, fixed_shape=fixed_shape)

    return decorate


# --- a list of ids as one parameter ---------------------------------------------------------------


class _AnyOf(Lookup):
    """`lhs = ANY(%s)` with the ids as one array parameter (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)


def id_in(field: str, ids: list[int]):
    """A filter: `field` is one of `ids`. On PostgreSQL `field = ANY(array)`, one parameter, which
    Django prepares once instead of once per id (for a page of 500 activities, read seven times,
    that was about a third of the page's CPU), and the SQL is the same for any number of ids (a
    `Statement` with `fixed_shape=array_parameter`)."""
    if default_connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return _AnyOf(F(field), [int(pk) for pk in ids])


def array_parameter(connection) -> bool:
    """`fixed_shape` of statements filtered by `id_in`: a list of ids is one array parameter on
    PostgreSQL only; elsewhere the SQL has one placeholder per id, so the statement is built each time."""
    return connection.vendor == "postgresql"

"""Fragments of SQL with their parameters, combined with ``&``, ``|`` and ``~``."""


class Sql:
    """A fragment of SQL and its parameters."""

    def __init__(self, text: str, params=()):
        self.text, self.params = text, list(params)

    def __and__(self, other: "Sql") -> "Sql":
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    def __or__(self, other: "Sql") -> "Sql":
        return Sql(f"({self.text}) OR ({other.text})", self.params + other.params)

    def __invert__(self) -> "Sql":
        return Sql(f"NOT ({self.text})", self.params)


TRUE, FALSE = Sql("TRUE"), Sql("FALSE")


def all_of(parts: list[Sql]) -> Sql:
    result = TRUE
    for part in parts:
        result = part if result is TRUE else result & part
    return result


def any_of(parts: list[Sql]) -> Sql:
    result = FALSE
    for part in parts:
        result = part if result is FALSE else result | part
    return result

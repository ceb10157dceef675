"""Values written into HTML by Python code rather than by a template."""

from functools import lru_cache
from html import escape


def shown(value) -> str:
    """A value as a template shows it: escaped unless marked safe (html.escape is what Django's
    escape calls, without the lazy-string wrapper that cost more than the escaping)."""
    return str(value) if hasattr(value, "__html__") else escape(str(value))


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    return escape(text)


def shown_often(value) -> str:
    """shown() for the short texts that page after page repeats — the filters' option labels,
    organ and topic names — each escaped once per process."""
    return str(value) if hasattr(value, "__html__") else _escaped(str(value))

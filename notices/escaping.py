"""Values written into HTML by Python code rather than by a template."""

from html import escape


def shown(value) -> str:
    """A value as a template shows it: escaped unless marked safe (html.escape is what Django's
    escape calls, without the lazy-string wrapper that cost more than the escaping)."""
    return str(value) if hasattr(value, "__html__") else escape(str(value))

"""URLs of pages named by an id, for pages that link to hundreds of them.

reverse() costs about as much as rendering the rest of a list row; here a URL pattern is
reversed once per process (and script prefix), and each link is the id put in its place.
"""

from functools import cache

from django.urls import get_script_prefix, reverse

# Any id would do: it only has to be found again in the reversed URL.
_SAMPLE_ID = 918273645


@cache
def _parts(name: str, script_prefix: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_SAMPLE_ID]).split(str(_SAMPLE_ID))
    return before, after


def url_parts(name: str) -> tuple[str, str]:
    """What comes before and after the id in the URLs of the pattern ``name``."""
    return _parts(name, get_script_prefix())


def url_for_id(name: str, pk: int) -> str:
    """reverse(name, args=[pk]), for a pattern with one id."""
    before, after = url_parts(name)
    return f"{before}{pk}{after}"


@cache
def _path(name: str, script_prefix: str) -> str:
    return reverse(name)


def url_of(name: str) -> str:
    """reverse(name), for a pattern without arguments: pages such as the search's write dozens
    of links to the same view."""
    return _path(name, get_script_prefix())

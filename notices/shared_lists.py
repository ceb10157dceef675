"""Small lists that many portal pages read (which organs publish, the topic tree), kept in the
cache like a cached page, until what they show changes or a notice falls due
(page_cache.cached), for PORTAL_LISTS_CACHE_SECONDS at most (0: read each time)."""

from django.db.models import Q

from core.page_cache import cached
from notices.models import Organ, Topic


def publishing_organs() -> list[tuple[int, str]]:
    """(pk, name) of the organs with public notices, in their order."""
    return cached(
        "publishing-organs",
        lambda: list(Organ.objects.publishing().values_list("pk", "name")),
        shows=("notices",),
    )


def organ_names() -> dict[int, str]:
    return cached("organ-names", lambda: dict(Organ.objects.values_list("pk", "name")))


def topic_paths() -> dict[int, str]:
    """Every topic's full path (综合政务 › 政务公开)."""
    return cached("topic-paths", Topic.objects.paths)


def topic_options() -> list[tuple[int, str]]:
    """(pk, label) of every topic in the tree's order, each under its parent and indented by
    its depth (full-width spaces, which a <select> keeps)."""
    return cached("topic-options", _topic_options)


def _topic_options() -> list[tuple[int, str]]:
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, name, parent_id in Topic.objects.values_list("pk", "name", "parent_id"):
        children.setdefault(parent_id, []).append((pk, name))
    options, stack = [], [(pk, name, 0) for pk, name in reversed(children.get(None, []))]
    while stack:
        pk, name, depth = stack.pop()
        options.append((pk, "\u3000" * depth + name))
        stack.extend((child, label, depth + 1) for child, label in reversed(children.get(pk, [])))
    return options


def topic_parents() -> dict[int, int | None]:
    return cached("topic-parents", lambda: dict(Topic.objects.values_list("pk", "parent_id")))


def topic_outline() -> list[tuple[int, str, list[tuple[int, str]]]]:
    """The top topics, each with the topics directly below it, in order: (pk, name, children)."""
    return cached("topic-outline", _topic_outline)


def _topic_outline() -> list[tuple[int, str, list[tuple[int, str]]]]:
    rows = Topic.objects.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    children: dict[int, list[tuple[int, str]]] = {}
    top = []
    for pk, name, parent_id in rows.values_list("pk", "name", "parent_id"):
        if parent_id is None:
            top.append((pk, name))
        else:
            children.setdefault(parent_id, []).append((pk, name))
    return [(pk, name, children.get(pk, [])) for pk, name in top]

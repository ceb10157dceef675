"""Titles and snippets with the matched terms in <mark>: every piece of text is escaped, and
the markup is built here, never taken from the notice's HTML."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from search import text

SNIPPET_LENGTH = 120
SNIPPET_LEAD = 30
FOLD_PIECE = 2000


def _spans(original: str, terms) -> list[tuple[int, int]]:
    """Where the terms occur in ``original``, as merged [start, end) offsets."""
    folded, offsets = text.fold_with_offsets(original)
    found = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            found.append((offsets[start], offsets[end - 1] + 1))
            start = folded.find(term, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(original: str, spans, start: int, end: int) -> SafeString:
    """original[start:end] escaped, with each span in <mark>."""
    pieces, position = [], start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        pieces.append((original[position:span_start], original[span_start:span_end]))
        position = span_end
    marked = format_html_join("", "{}<mark>{}</mark>", pieces)
    return format_html("{}{}", marked, original[position:end])


def highlight(original: str, terms) -> SafeString:
    return _render(original, _spans(original, terms), 0, len(original))


def _first_match(original: str, terms) -> int | None:
    """Where the first match starts in ``original``. A term found as it is written is a match
    (terms are folded, and folding a folded text leaves it as it is), so only the text up to
    the first such occurrence needs folding, to find a spelling before it that folds to a
    term; without one, the whole text is searched.

    A spelling that folds to a term holds a character that folding turns into another letter
    or digit (``text.word_changers``), within the term's length of where it starts. Where no
    such character comes early enough, nothing is folded: the term as written is the first
    match, or without one, there is none."""
    if not terms:
        return None
    reach = max(len(term) for term in terms) - 1
    written = [position for term in terms if (position := original.find(term)) != -1]
    changers = text.word_changers()
    if written:
        first = min(written)
        if not changers.search(original, 0, first + reach):
            return first
        found = _first_folded_match(original[: first + reach + 1], terms, reach)
        if found is not None:
            return found
    elif not changers.search(original):
        return None
    return _first_folded_match(original, terms, reach)


def _first_folded_match(original: str, terms, reach: int) -> int | None:
    """The first match, folding the text a piece at a time so that a text with an early match
    is not folded whole: each piece reaches into the next by ``reach``, the length of the
    longest term less one (a folded term spans at most as many original characters as it
    has), so a match that starts in a piece is found in it."""
    for piece_start in range(0, len(original), FOLD_PIECE):
        piece = original[piece_start : piece_start + FOLD_PIECE + reach]
        folded = text.fold(piece)
        if len(folded) == len(piece):
            found = [position for term in terms if (position := folded.find(term)) != -1]
            first = min(found) if found else None
        else:
            spans = _spans(piece, terms)
            first = spans[0][0] if spans else None
        if first is not None:
            return piece_start + first
    return None


def settled_window(prefixes, terms, length: int = SNIPPET_LENGTH) -> tuple[str, int, int]:
    """The text a snippet is cut from, its whitespace collapsed, and where the snippet starts
    and ends in it: a little before the first match, or at the start.

    ``prefixes`` are ever longer beginnings of the text, each with whether it is the whole,
    the last being the whole (``text.plain_text_prefixes``). The first that settles the window
    is used: one in which a match was found with room after it for any match starting earlier
    to have been found too, and whose window ends before it does (so the window, and the
    ellipsis after it, are those of any longer text that begins with it)."""
    reach = max((len(term) for term in terms), default=0)
    for original, whole in prefixes:
        original = " ".join(original.split())
        first = _first_match(original, terms)
        start = max(0, first - SNIPPET_LEAD) if first is not None else 0
        end = min(len(original), start + length)
        settled = first is not None and first + reach <= len(original) and end < len(original)
        if whole or settled:
            return original, max(0, min(start, end - length)), end
    raise ValueError("the last of the prefixes must be the whole text")


def opening_window(prefixes, length: int = SNIPPET_LENGTH) -> tuple[str, int, int]:
    """``settled_window`` of a text known to hold no match: its beginning, cut from the first
    of the prefixes that is longer than the window (or the whole), without looking for one."""
    for original, whole in prefixes:
        original = " ".join(original.split())
        if whole or len(original) > length:
            return original, 0, min(len(original), length)
    raise ValueError("the last of the prefixes must be the whole text")


def marked_snippet(window: tuple[str, int, int], terms) -> SafeString:
    """The window of ``settled_window`` with the terms marked."""
    original, start, end = window
    shown = original[start:end]
    html = _render(shown, _spans(shown, terms), 0, len(shown))
    before, after = _ellipses(window)
    return format_html("{}{}{}", before, html, after)


def plain_window(window: tuple[str, int, int]) -> str:
    original, start, end = window
    before, after = _ellipses(window)
    return before + original[start:end] + after


def _ellipses(window: tuple[str, int, int]) -> tuple[str, str]:
    """What comes before and after a window cut from its text: an ellipsis where text is left
    out."""
    original, start, end = window
    return ("…" if start > 0 else ""), ("…" if end < len(original) else "")


def snippet(original: str, terms, length: int = SNIPPET_LENGTH) -> SafeString:
    """A window of the text around its first match (or its beginning), terms marked."""
    return marked_snippet(settled_window([(original, True)], terms, length), terms)


def plain_snippet(original: str, terms, length: int = SNIPPET_LENGTH) -> str:
    return plain_window(settled_window([(original, True)], terms, length))

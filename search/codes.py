"""Character grams as integers: what the PostgreSQL index stores and what a query looks up.

Text is folded (``search.text.fold``) and read as UTF-16 code units. Every word unit (a letter or
digit) gives a *unigram code*, its own value (below 0x10000); every two adjacent word units give
a *bigram code*, ``first << 16 | second`` (0x10000 or more, so the two kinds never collide). The
two halves of a character outside the Basic Multilingual Plane are word units that only pair:
such a character is one bigram code of its own. A run
of word units ends at anything else — space, punctuation, a field separator — so no gram spans
two words, two fields or a sentence boundary. Codes are stored as PostgreSQL ``int4``: the
unsigned value reinterpreted as signed.

A query term's codes all occur in every text that contains the term. A term of one or two code
units has a single code, and that code occurs in a text exactly when the term does: for such a
term the index answers exactly, with no need to read the text. Longer terms are checked against
the text itself.
"""

import numpy as np

SURROGATE = np.zeros(0x10000, dtype=bool)
SURROGATE[0xD800:0xE000] = True
WORD_UNIT = np.array([chr(unit).isalnum() for unit in range(0x10000)], dtype=bool) | SURROGATE
EMPTY = np.empty(0, dtype=np.int32)


def units(folded: str) -> np.ndarray:
    return np.frombuffer(folded.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)


def codes(folded: str) -> np.ndarray:
    """The distinct unigram and bigram codes of a folded text, sorted, as int32."""
    if not folded:
        return EMPTY
    unit = units(folded)
    word = WORD_UNIT[unit]
    wide = unit.astype(np.uint32)
    pairs = word[:-1] & word[1:]
    bigrams = (wide[:-1][pairs] << 16) | wide[1:][pairs]
    found = np.sort(np.concatenate([wide[word & ~SURROGATE[unit]], bigrams]))
    if len(found) > 1:  # distinct values (sorting beats np.unique's hashing on these)
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
    return found.view(np.int32)


def without(found: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """``found`` minus ``excluded`` (both sorted)."""
    if not len(excluded) or not len(found):
        return found
    position = np.minimum(np.searchsorted(excluded, found), len(excluded) - 1)
    return found[excluded[position] != found]


def term_codes(term: str) -> list[int]:
    """The codes a text must contain to contain ``term`` (a run of word characters)."""
    return codes(term).tolist()


def pair_codes(term: str) -> list[int]:
    """The codes that say a text holds ``term``: its bigram codes (they imply its unigrams),
    or its unigram code if it is one unit long."""
    found = codes(term)
    pairs = found[(found.view(np.uint32) >= 0x10000)]
    return (pairs if len(pairs) else found).tolist()


def is_exact(term: str) -> bool:
    """True when the term's single code occurs exactly where the term does."""
    return len(term.encode("utf-16-le", "surrogatepass")) <= 4

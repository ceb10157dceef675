"""Search results equal a brute-force substring oracle over a generated corpus.

The corpus of each seed is generated once for the session, inserted for each test with bulk
inserts (not through the workflow, for speed; rolled back after the test) and indexed by the
backend's ``rebuild``; the oracle reads the notices themselves, folds their public text and checks
each term with Python's ``in``. Queries are substrings of the texts (so every one has hits),
random strings over the same small alphabet (so bigrams often co-occur without being adjacent),
Traditional spellings, and 文号 and 索引号 in their usual spellings. Each test runs against
every search backend the database in use can run (``search.backends.available_backends``), the
PostgreSQL backend under every plan it can choose between (forced by small limits), since on a
corpus this small it would otherwise always take the same one.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notices.models import Notice, Topic
from search import backends, index, query, text
from search.backends import base, counting, date_order, postgresql
from search.models import CommonGram, CommonGramBitmap, SearchEntry
from tests import factories

CORPUS_SIZE = 2500
SIMPLIFIED = "政务公开办发关于国会经济开展工作通知省市人民政府厅局的和在对加强管理年度"
TRADITIONAL = {"务": "務", "开": "開", "办": "辦", "发": "發", "关": "關", "于": "於", "国": "國"}
TRADITIONAL.update({"会": "會", "经": "經", "济": "濟", "厅": "廳", "对": "對", "强": "強"})
EXTRA = ["covid", "Covid", "ＡＢＣ", "１２", "19", "2017", "，", "。", "（", "）", "、", " "]
PREFIXES = ["甘政办发", "甘政发", "甘财预", "甘教发"]


def phrase(rng: random.Random, length: int) -> str:
    parts = []
    while sum(map(len, parts)) < length:
        if rng.random() < 0.1:
            parts.append(rng.choice(EXTRA))
        else:
            char = rng.choice(SIMPLIFIED)
            parts.append(TRADITIONAL.get(char, char) if rng.random() < 0.15 else char)
    return "".join(parts)


def body_html(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        words = [phrase(rng, rng.randint(2, 12)) for _ in range(rng.randint(2, 8))]
        if rng.random() < 0.3:
            i = rng.randrange(len(words))
            words[i] = f"<strong>{words[i]}</strong>"
        paragraphs.append("<p>" + "".join(words).replace("&", "&amp;") + "</p>")
    return "".join(paragraphs)


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: each notice's field values (its organ by position), the topics filed
    (notice position, topic position), and the generator's state after it, from which each test
    draws its queries."""

    notices: tuple[dict, ...]
    filed: tuple[tuple[int, int], ...]
    state: tuple


ORGANS, TOPICS = 5, 4


def generate_corpus(seed: int) -> Corpus:
    rng = random.Random(seed)
    now = timezone.now()
    notices, used_numbers = [], set()
    for n in range(CORPUS_SIZE):
        organ = rng.randrange(ORGANS)
        kind = rng.choices(
            ["published", "withdrawn", "draft", "scheduled", "withheld", "on_request"],
            [70, 6, 8, 6, 4, 6],
        )[0]
        published_at = now - datetime.timedelta(days=rng.randint(1, 3650), minutes=n)
        number = ""
        if rng.random() < 0.6:
            number = f"{rng.choice(PREFIXES)}〔{rng.randint(2015, 2025)}〕{rng.randint(1, 300)}号"
            if (organ, number) in used_numbers:
                number = ""
            used_numbers.add((organ, number))
        notice = {
            "organ": organ,
            "title": phrase(rng, rng.randint(4, 24)),
            "document_number": number,
            "genre_id": rng.choice(factories.GENRE_CODES),
            "keywords": phrase(rng, 4) if rng.random() < 0.2 else "",
            "summary": phrase(rng, 12) if rng.random() < 0.2 else "",
            "body": body_html(rng),
            "status": Notice.Status.PUBLISHED,
            "published_at": published_at,
            "index_number": f"{organ_code(organ)}/{published_at.year}-{n:05d}",
            "validity": Notice.Validity.VALID,
        }
        if kind == "withdrawn":
            notice["status"] = Notice.Status.WITHDRAWN
            notice["withdrawn_at"] = now
            notice["withdrawal_reason"] = "测试撤回"
        elif kind == "draft":
            notice["status"], notice["index_number"] = Notice.Status.DRAFT, None
        elif kind == "scheduled":
            notice["published_at"] = now + datetime.timedelta(days=rng.randint(1, 30))
        elif kind == "withheld":
            notice["disclosure"], notice["withheld_reason"] = Notice.Disclosure.WITHHELD, "涉密"
        elif kind == "on_request":
            notice["disclosure"], notice["withheld_reason"] = Notice.Disclosure.ON_REQUEST, "依申请"
        notices.append(notice)
    filed = [
        (position, rng.randrange(TOPICS)) for position in range(len(notices)) if rng.random() < 0.5
    ]
    return Corpus(tuple(notices), tuple(filed), rng.getstate())


def organ_code(position: int) -> str:
    return f"8{position:08d}"


@pytest.fixture(scope="session")
def generated_corpus():
    """The corpus of each seed, generated once for the whole session."""
    return cache(generate_corpus)


@pytest.fixture
def corpus(generated_corpus, db):
    """Insert the corpus of a seed for this test (rolled back after it): a generator in the
    state that followed the corpus, and the notices."""

    def insert(seed: int) -> tuple[random.Random, list[Notice]]:
        generated = generated_corpus(seed)
        organs = [
            factories.make_organ(name=f"语料机构{position}", code=organ_code(position))
            for position in range(ORGANS)
        ]
        topics = [factories.make_topic() for _ in range(TOPICS)]
        notices = Notice.objects.bulk_create(
            Notice(**{**fields, "organ": organs[fields["organ"]]}) for fields in generated.notices
        )
        Notice.topics.through.objects.bulk_create(
            Notice.topics.through(notice_id=notices[position].pk, topic_id=topics[topic].pk)
            for position, topic in generated.filed
        )
        rng = random.Random()
        rng.setstate(generated.state)
        return rng, notices

    return insert


def public_fields(notice: Notice) -> list[str]:
    """The folded text the public can read of a notice, field by field."""
    parts = [notice.title, notice.document_number, notice.index_number or ""]
    if notice.status == Notice.Status.PUBLISHED:
        parts += [notice.summary, notice.keywords]
        if notice.disclosure == Notice.Disclosure.PROACTIVE:
            parts.append(text.plain_text(notice.body))
    return [text.fold(part) for part in parts if part]


def queries(rng: random.Random, notices: list[Notice]) -> list[str]:
    found = []
    for _ in range(60):
        source = rng.choice(notices)
        plain = rng.choice([source.title, text.plain_text(source.body)])
        length = rng.randint(1, 6)
        start = rng.randrange(max(1, len(plain) - length))
        found.append(plain[start : start + length])
    for _ in range(40):
        found.append(phrase(rng, rng.randint(2, 4)))
    for _ in range(20):
        word = "".join(rng.choice(SIMPLIFIED) for _ in range(rng.randint(2, 3)))
        found.append("".join(TRADITIONAL.get(c, c) for c in word))
    numbered = [n for n in notices if n.document_number]
    for _ in range(15):
        number = rng.choice(numbered).document_number
        prefix, rest = number.split("〔")
        year, serial = rest.split("〕")
        found += [
            f"{prefix}[{year}]{serial}",
            f"{prefix}（{year}）{serial}",
            f"{prefix}【{year}】{serial}",
            f"{prefix}{year}{serial}",
            serial,
        ]
    indexed = [n for n in notices if n.index_number]
    for _ in range(5):
        code, rest = rng.choice(indexed).index_number.split("/")
        found.append(f"{code}/{rest}")
        found.append(f"{code} / {rest.replace('-', ' - ')}")
    found += ["政务 公开", "covid 19", "ＣＯＶＩＤ", "工作，通知", "的", "年"]
    return found


def all_results(q: str, sort: str, **filters) -> tuple[list[int], query.SearchResults]:
    """Every result, page after page, and the first page's search."""
    form = query.SearchForm({"q": q, "sort": sort, **filters})
    assert form.is_valid(), form.errors
    first = query.run(form, 1, query.MAX_PAGE_SIZE)
    found, search, page = list(first.ids), first, 1
    while search.page.has_next():
        page += 1
        search = query.run(form, page, query.MAX_PAGE_SIZE)
        found += search.ids
    return found, first


# How each plan of the PostgreSQL backend is forced on a small corpus (the scan has one).
PLANS = {
    "from the index": {},
    "common grams in bitmaps, some entries rewritten since, some read in date order": {
        "SEARCH_CANDIDATE_LIMIT": 150,
        "SEARCH_COMMON_GRAM_SHARE": 0.05,
        "SEARCH_TITLE_COMMON_SHARE": 0.01,
    },
    "checked page by page": {"VERIFY_LIMIT": 5, "SAMPLE_SIZE": 5},
    "common grams, read in date order, walks giving up at once for the index": {
        "SEARCH_CANDIDATE_LIMIT": 150,
        "SEARCH_COMMON_GRAM_SHARE": 0.05,
        "SEARCH_TITLE_COMMON_SHARE": 0.01,
        "WALK_ENTRIES_PER_ROW": 1,
    },
    "common grams narrowing the index's candidates, checked page by page": {
        "SEARCH_CANDIDATE_LIMIT": 150,
        "SEARCH_COMMON_GRAM_SHARE": 0.05,
        "SEARCH_TITLE_COMMON_SHARE": 0.01,
        "BITMAP_NARROWING_SHARE": 1.0,
        "BITMAP_NARROWING_FROM": 0,
        "VERIFY_LIMIT": 5,
        "SAMPLE_SIZE": 5,
    },
}


# The modules whose limits the plans set.
TUNED = (counting, postgresql, date_order)


def use_plan(plan: str, settings, monkeypatch) -> None:
    monkeypatch.setattr(base, "MAX_RESULTS", 100_000)
    for name, value in PLANS[plan].items():
        if name.startswith("SEARCH_"):
            setattr(settings, name, value)
        else:
            [module] = [module for module in TUNED if hasattr(module, name)]
            monkeypatch.setattr(module, name, value)


# Each backend that can run on the database in use, with the plans it can be made to choose.
BACKEND_PLANS = [
    pytest.param(backend, plan, id="scan" if backend == backends.SCAN else f"postgresql: {plan}")
    for backend in backends.available_backends()
    for plan in (PLANS if backend == backends.POSTGRESQL else ["from the index"])
]


@pytest.fixture
def backend(request, settings):
    """The backend under test, set for the test's searches and indexing."""
    settings.SEARCH_BACKEND = request.param
    return request.param


def exercises_plans(backend: str = backends.POSTGRESQL) -> bool:
    """Whether the backend chooses between plans (the bitmaps and limits are PostgreSQL's)."""
    return connection.vendor == "postgresql" and backend == backends.POSTGRESQL


def assert_estimate(estimate: int, actual: int, universe: int, what: str, n=None) -> None:
    """An estimate from a sample of ``n`` (counting.SAMPLE_SIZE) entries, within six standard
    errors: those of the share that matches and of the estimated number of entries sampled
    from, plus the rounding to two figures."""
    n = n or counting.SAMPLE_SIZE
    share = actual / universe
    error = universe * ((share * (1 - share) + share**2) / n) ** 0.5
    assert abs(estimate - actual) <= 6 * error + 0.05 * actual + 2, (what, estimate, actual)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("backend", "plan"), BACKEND_PLANS, indirect=["backend"])
def test_search_finds_exactly_what_the_substring_oracle_finds(
    backend, plan, corpus, settings, monkeypatch
):
    rng, notices = corpus(20260101)
    use_plan(plan, settings, monkeypatch)
    assert backends.get_backend().rebuild(batch_size=400) > 0
    public = {notice.pk: notice for notice in Notice.objects.public_pages()}
    assert set(SearchEntry.objects.values_list("pk", flat=True)) == set(public)
    if plan.startswith("common grams"):
        for pk in rng.sample(sorted(public), len(public) // 3):
            backends.get_backend().add(pk)  # as a correction would: out of the bitmaps
        if exercises_plans(backend):
            assert SearchEntry.objects.filter(ordinal__isnull=True).count() == len(public) // 3
    fields = {pk: public_fields(notice) for pk, notice in public.items()}
    checked = estimated = 0
    for q in queries(rng, notices):
        parsed = text.parse_query(q)
        if parsed.is_empty:
            continue
        expected = {pk for pk, texts in fields.items() if text.matches(parsed, texts)}
        by_date, search = all_results(q, "date")
        assert set(by_date) == expected, f"{plan}: query {q!r}: {set(by_date) ^ expected}"
        assert len(by_date) == len(set(by_date))
        if search.exact:
            assert search.total == len(expected), (plan, q)
        else:
            estimated += 1
            assert_estimate(search.total, len(expected), len(public), f"{plan}: {q!r}")
        dates = [public[pk].published_at for pk in by_date]
        assert dates == sorted(dates, reverse=True), q

        by_relevance, _ = all_results(q, "relevance")
        assert sorted(by_relevance) == sorted(by_date), q
        assert_ranked(parsed, by_relevance, public)
        checked += 1
    assert checked > 150
    if plan != "from the index" and exercises_plans(backend):
        assert CommonGram.objects.filter(indexed=False).exists() or counting.VERIFY_LIMIT < 10
        assert estimated > 0, "the plan was not exercised"
    if plan.startswith("common grams") and exercises_plans(backend):
        assert CommonGramBitmap.objects.exists()


def assert_ranked(parsed, ranked: list[int], public: dict) -> None:
    """Exact 文号/索引号 matches first, then title matches, then the rest; newest first in each."""
    keys = {parsed.document_key, parsed.index_key} - {""}

    def rank(pk: int) -> tuple:
        notice = public[pk]
        exact = bool(
            keys & {text.document_key(notice.document_number), text.index_key(notice.index_number)}
        )
        title = text.fold(
            "\n".join(filter(None, [notice.title, notice.document_number, notice.index_number]))
        )
        in_title = all(term in title for term in parsed.terms)
        return (not exact, not in_title, -notice.published_at.timestamp(), -pk)

    assert ranked == sorted(ranked, key=rank), parsed.raw


@pytest.mark.django_db
@pytest.mark.parametrize(("backend", "plan"), BACKEND_PLANS, indirect=["backend"])
def test_filters_and_counts_per_value_agree_with_the_oracle(
    backend, plan, corpus, settings, monkeypatch
):
    corpus(7)
    use_plan(plan, settings, monkeypatch)
    link_interpretations()
    backends.get_backend().rebuild()
    public = list(Notice.objects.public_pages().prefetch_related("topics"))
    interpreted = set(
        Notice.objects.published().exclude(interprets=None).values_list("interprets", flat=True)
    )
    topic = Topic.objects.first()
    organ = public[0].organ
    year = timezone.localtime(public[0].published_at).year
    cases = [
        ("政", {"topic": topic.pk}),
        ("政务", {"organ": organ.pk}),
        ("开 会", {"year": year, "genre": public[0].genre_id}),
        ("通知", {"validity": "valid"}),
        ("的", {}),
        ("经济", {}),
        ("的", {"interpreted": "1"}),
        ("政", {"interpreted": "1", "organ": organ.pk}),
    ]
    for q, filters in cases:
        parsed = text.parse_query(q)
        matching = [n for n in public if text.matches(parsed, public_fields(n))]
        allowed = [n for n in matching if passes(n, filters, topic, interpreted)]
        found, search = all_results(q, "relevance", **filters)
        assert set(found) == {n.pk for n in allowed}, (plan, q, filters)
        expected = {
            "organ": Counter(str(n.organ_id) for n in allowed),
            "genre": Counter(n.genre_id for n in allowed),
            "year": Counter(str(timezone.localtime(n.published_at).year) for n in allowed),
            "validity": Counter(n.validity for n in allowed),
        }
        shown = {facet.name: {value: n for value, _, n in facet.values} for facet in search.facets}
        for name, counts in expected.items():
            for value, count in counts.most_common(3):
                if search.exact:
                    assert shown[name][value] == count, (plan, q, name, value)
                else:
                    estimate = shown[name].get(value, 0)
                    assert_estimate(estimate, count, len(public), f"{plan}: {q} {name}")
        if search.exact and not filters:
            in_topic = sum(1 for n in allowed if topic in n.topics.all())
            topics = next(facet for facet in search.facets if facet.name == "topic")
            if topics.exact:
                assert shown["topic"].get(str(topic.pk), 0) == in_topic
            else:  # counted from a sample of the matches
                estimate = shown["topic"].get(str(topic.pk), 0)
                n = counting.TOPIC_SAMPLE_SIZE
                assert_estimate(estimate, in_topic, len(allowed), f"{plan}: {q} topic", n)


def link_interpretations() -> None:
    """Make every seventh notice an interpretation of the notice after it, whatever the states
    of either: the 有解读 filter must keep only documents of an interpretation that is public."""
    ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
    for position in range(0, len(ids) - 1, 7):
        Notice.objects.filter(pk=ids[position]).update(
            genre_id="interpretation", interprets_id=ids[position + 1]
        )


def passes(notice: Notice, filters: dict, topic: Topic, interpreted: set[int]) -> bool:
    if "interpreted" in filters and notice.pk not in interpreted:
        return False
    if "topic" in filters and topic not in notice.topics.all():
        return False
    if "organ" in filters and notice.organ_id != filters["organ"]:
        return False
    if "year" in filters and timezone.localtime(notice.published_at).year != filters["year"]:
        return False
    if "genre" in filters and notice.genre_id != filters["genre"]:
        return False
    return "validity" not in filters or notice.validity == filters["validity"]


@pytest.mark.django_db
def test_a_search_the_gram_index_answers_exactly_reads_no_bitmaps(corpus, settings, monkeypatch):
    """A term of one or two characters whose gram is indexed has its matches for candidates:
    the bitmaps of its common grams, which narrow the candidates of longer terms, cannot rule
    any of them out and are not read."""
    if not exercises_plans():
        pytest.skip("the bitmaps are PostgreSQL's")
    corpus(20261206)
    use_plan(
        "common grams narrowing the index's candidates, checked page by page", settings, monkeypatch
    )
    assert index.rebuild(batch_size=400) > 0
    fields = {pk: public_fields(n) for pk, n in Notice.objects.public_pages().in_bulk().items()}
    texts = [part for parts in fields.values() for part in parts]

    def kind(term: str) -> tuple[bool, bool]:
        """Whether the term's candidates come from the gram index with common grams that
        could narrow them, and whether the index answers the term exactly."""
        search = postgresql.GramSearch([term], "", "", backends.Filters(), "relevance")
        narrowing = [code for code, (_, _, indexed) in search.common.items() if not indexed]
        return bool(search.indexed_codes and narrowing), search.covered == {term}

    def bitmap_reads(term: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            found, _ = all_results(term, "relevance")
        parsed = text.parse_query(term)
        assert set(found) == {pk for pk, parts in fields.items() if text.matches(parsed, parts)}
        return sum("search_commongrambitmap" in q["sql"] for q in captured.captured_queries)

    grams = Counter(t[i : i + n] for t in texts for n in (2, 3) for i in range(len(t) - n + 1))
    words = [gram for gram, _ in grams.most_common() if gram.isalnum()]
    covered = next(gram for gram in words if kind(gram) == (True, True))
    longer = next(gram for gram in words if kind(gram) == (True, False))
    # The same corpus and plan read the bitmaps for a longer term, so the setup narrows...
    assert bitmap_reads(longer) > 0
    # ...but not for a term the index answers exactly.
    assert bitmap_reads(covered) == 0


def partly_rewritten(corpus, seed: int, plan: str, settings, monkeypatch):
    """A corpus indexed by a full rebuild under ``plan``, a third of it rewritten since (out of
    the bitmaps): each public notice's fields, and each entry's (notice id, ordinal)."""
    rng, _notices = corpus(seed)
    use_plan(plan, settings, monkeypatch)
    assert index.rebuild(batch_size=400) > 0
    public = Notice.objects.public_pages().in_bulk()
    for pk in rng.sample(sorted(public), len(public) // 3):
        index.sync_notice(pk)  # as a correction would: out of the bitmaps
    fields = {pk: public_fields(notice) for pk, notice in public.items()}
    return fields, list(SearchEntry.objects.values_list("notice_id", "ordinal"))


def frequent_words(fields: dict, lengths: tuple[int, ...], count: int) -> list[str]:
    """The words of these lengths most often in the fields (of the ``count`` most frequent
    pieces)."""
    texts = [part for parts in fields.values() for part in parts]
    pieces = Counter(t[i : i + n] for t in texts for n in lengths for i in range(len(t) - n + 1))
    return [piece for piece, _ in pieces.most_common(count) if piece.isalnum()]


def texts_read(search: postgresql.GramSearch, monkeypatch) -> list[list[int]]:
    """Filled, as the search runs, with the ids of each batch of entries whose text it reads."""
    read = []
    verify = search.verify
    monkeypatch.setattr(search, "verify", lambda ids, terms: read.append(ids) or verify(ids, terms))
    return read


@pytest.mark.django_db
def test_the_bitmaps_tell_which_sampled_entries_hold_a_short_common_term(
    corpus, settings, monkeypatch
):
    """Counting in date order samples entries and asks which match. For terms of one or two
    characters whose grams are common, the bitmaps answer for the entries the last full
    rebuild wrote: only the text of those written since is read, and the answer is the
    oracle's."""
    if not exercises_plans():
        pytest.skip("the bitmaps are PostgreSQL's")
    plan = "common grams in bitmaps, some entries rewritten since, some read in date order"
    fields, rows = partly_rewritten(corpus, 20261207, plan, settings, monkeypatch)
    fresh = sorted(pk for pk, ordinal in rows if ordinal is None)
    checked = 0
    for term in frequent_words(fields, (1, 2), 40):
        search = postgresql.GramSearch([term], "", "", backends.Filters(), "date")
        if search.indexed_codes:
            continue  # a gram in the gram index: the bitmaps do not hold it
        read = texts_read(search, monkeypatch)
        parsed = text.parse_query(term)
        expected = {pk for pk, parts in fields.items() if text.matches(parsed, parts)}
        assert date_order.matching(search, rows) == expected, term
        assert [sorted(ids) for ids in read] == [fresh], term
        checked += 1
    assert checked >= 5


@pytest.mark.django_db
def test_the_bitmaps_rule_out_sampled_entries_lacking_a_pair_of_a_longer_term(
    corpus, settings, monkeypatch
):
    """For a term of three or more characters the bitmaps cannot say that an entry holds it,
    only that it lacks one of its pairs of characters. Those entries' text is not read; the
    others' is, and the answer is the oracle's."""
    if not exercises_plans():
        pytest.skip("the bitmaps are PostgreSQL's")
    plan = "common grams narrowing the index's candidates, checked page by page"
    fields, rows = partly_rewritten(corpus, 20261206, plan, settings, monkeypatch)
    fresh = {pk for pk, ordinal in rows if ordinal is None}
    checked, read_in_all = 0, 0
    for term in frequent_words(fields, (3, 4), 60):
        search = postgresql.GramSearch([term], "", "", backends.Filters(), "date")
        if not search.narrowing(search.pair_codes):
            continue  # no pair in the bitmaps: every text is read, as before
        read = texts_read(search, monkeypatch)
        parsed = text.parse_query(term)
        expected = {pk for pk, parts in fields.items() if text.matches(parsed, parts)}
        assert date_order.matching(search, rows) == expected, term
        [ids] = read
        assert fresh | expected <= set(ids), term
        read_in_all += len(ids)
        checked += 1
    assert checked >= 5
    assert read_in_all < checked * len(rows) * 0.9

"""The real corpus (tests/importer/corpus/real, each file's source address in index.json) and
its damaged copies: every file imports, the body's sentences are kept, and every title, 文号,
date and damage is right or flagged. bench/import_corpus.py reports the same figures."""

import pytest

from importer import saving
from importer.models import ImportedSource
from importer.report import Status
from notices.models import Notice
from tests.importer import corpus_variants

CASES = corpus_variants.all_cases()


@pytest.fixture(scope="module")
def measured():
    found = []
    for case in CASES:
        _source, parsed = saving.read_and_parse(case.data, case.name)
        found.append((case, parsed, corpus_variants.measure(case, parsed)))
    return found


def test_the_corpus_holds_every_kind_the_issue_names():
    kinds = " ".join(entry["kind"] for entry in corpus_variants.index())
    for kind in ("通报", "年度报告", "排名表", "新闻", "镜像", "繁体"):
        assert kind in kinds
    assert all(entry["source"].startswith("http") for entry in corpus_variants.index())
    variants = {case.variant for case in CASES}
    assert variants >= {"traditional", "mojibake", "spam", "censored", "pdf", "mirror"}


def test_body_sentences_are_kept(measured):
    runs = sum(m.runs for _c, _p, m in measured)
    kept = sum(m.kept for _c, _p, m in measured)
    missed = [(c.name, m.missed[:3]) for c, _p, m in measured if m.missed]
    assert kept / runs >= 0.995, missed


def test_every_original_keeps_all_of_its_body(measured):
    missed = [(c.name, m.missed) for c, _p, m in measured if c.variant == "original" and m.missed]
    assert missed == []


@pytest.mark.parametrize("field", ["title", "number", "date"])
def test_every_title_number_and_date_is_right_or_flagged(measured, field):
    wrong = [
        (case.name, parsed.title, parsed.document_number, parsed.signed_on)
        for case, parsed, m in measured
        if getattr(m, field) == "wrong"
    ]
    assert len(wrong) <= len(measured) // 100, wrong


def test_titles_of_originals_are_right_where_the_file_has_one(measured):
    wrong = [
        (case.name, parsed.title)
        for case, parsed, m in measured
        if case.variant == "original" and case.entry["title"] and m.title != "right"
    ]
    assert wrong == []


def test_every_damage_is_flagged_with_its_fragment(measured):
    missed = [c.name for c, _p, m in measured if m.damage_flagged < m.damage]
    total = sum(m.damage for _c, _p, m in measured)
    assert total >= 50
    assert len(missed) <= total // 50, missed


def test_mirror_dates_never_become_the_notice_s(measured):
    for case, parsed, _m in measured:
        if parsed.published_on and case.entry["signed_on"] is None:
            assert parsed.signed_on is None, case.name


@pytest.mark.django_db
def test_every_original_imports_as_a_draft(organ, editor):
    for entry in corpus_variants.index():
        case = corpus_variants.variants(entry)[0]
        result = saving.import_file(case.data, case.name, organ, editor)
        assert result.status == Status.IMPORTED, (case.name, result.reason)
        notice = Notice.objects.get(pk=result.notice_id)
        assert notice.title and notice.status == Notice.Status.DRAFT
        assert notice.published_at is None
    assert ImportedSource.objects.count() == len(corpus_variants.index())

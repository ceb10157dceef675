"""The search page's results are written out directly, in the markup its template wrote."""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from django.template import Context, Template
from django.urls import reverse

from notices.models import Notice
from search import highlight
from search.query import Facet, Hit
from search.templatetags.search_results import search_facets, search_hits
from search.views import _url, facet_links

# The results loop as templates/search/results.html had it.
TEMPLATE_LOOP = (Path(__file__).parent / "results_loop.html").read_text()


def tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def hit_for(notice: Notice, terms: list[str], *, exact: bool = False) -> Hit:
    return Hit(
        notice=notice,
        title=highlight.highlight(notice.title, terms),
        exact_number=exact,
        terms=terms,
    )


def test_every_kind_of_result_is_written_as_the_template_wrote_it(notice_in, organ):
    organ.name = "省<政府>办公厅"
    organ.save()
    plain = notice_in("published", title="关于考核的通知", body="<p>考核结果 & 整改</p>")
    numbered = notice_in(
        "published",
        title="考核通报",
        document_number="甘政办发〔2017〕136号",
        signed_on=datetime.date(2017, 9, 30),
        validity=Notice.Validity.REPEALED,
        validity_changed_on=datetime.date(2020, 1, 1),
        summary='摘要 "考核" <b>',
    )
    withdrawn = notice_in("withdrawn", title="撤回的考核公告")
    hits = [hit_for(plain, ["考核"]), hit_for(numbered, ["考核"], exact=True)]
    hits.append(hit_for(withdrawn, ["考核"]))
    hits.append(hit_for(plain, ["没有的词"]))  # no snippet

    expected = Template(TEMPLATE_LOOP).render(Context({"hits": hits}))
    written = search_hits(hits)
    assert tags(written) == tags(expected)
    assert "省&lt;政府&gt;办公厅" in written
    assert "<mark>考核</mark>" in written
    assert "已撤回" in written and "文号或索引号完全匹配" in written and "废止" in written


# The facets loop as templates/search/results.html had it.
FACETS_LOOP = (Path(__file__).parent / "facets_loop.html").read_text()


def test_the_facets_are_written_as_the_template_wrote_them():
    search = SimpleNamespace(
        facets=[
            Facet("organ", "发布机构", [("7", "省<政府>办公厅", 12), ("9", "省教育厅", 3)]),
            Facet("genre", "体裁", [("notice", "通知", 40)], exact=False),
            Facet("year", "发布年份", []),
        ]
    )
    facets = facet_links(search, {"q": "考核 & 整改", "organ": "7"}, "date")
    expected = Template(FACETS_LOOP).render(Context({"facets": facets}))
    written = search_facets(facets)
    assert tags(written) == tags(expected)
    assert "省&lt;政府&gt;办公厅" in written and "约40" in written
    assert written.count('aria-current="true"') == 1


def test_facet_links_are_the_urls_the_search_page_writes_for_its_filters():
    search = SimpleNamespace(
        facets=[
            Facet("organ", "发布机构", [("7", "甲", 1), ("9", "乙", 2)]),
            Facet("year", "年份", [("2017", "2017年", 3)]),
        ]
    )
    params = {"q": "考核 & 整改/#?", "organ": "7", "validity": "", "topic": None}
    links = {
        (facet["name"], value["label"]): value["url"]
        for facet in facet_links(search, params, "date")
        for value in facet["values"]
    }
    path = reverse("search:search")

    def url(link: dict) -> str:  # what urlencode writes of the parameters that are given
        return f"{path}?{urlencode({k: v for k, v in link.items() if v not in (None, '')})}"

    assert links == {
        ("organ", "甲"): url({**params, "sort": "date", "organ": ""}),
        ("organ", "乙"): url({**params, "sort": "date", "organ": "9"}),
        ("year", "2017年"): url({**params, "sort": "date", "year": "2017"}),
    }
    assert _url("search:search", {**params, "year": 2017}) == url({**params, "year": 2017})
    assert _url("search:search", {"q": "", "topic": None}) == path

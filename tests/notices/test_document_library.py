"""An organ's 规范性文件库: its public 规章 and 行政规范性文件 by 有效性, with counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import validity
from notices.models import Notice

pytestmark = pytest.mark.django_db
RULES, NORMATIVE = Notice.Category.RULES, Notice.Category.NORMATIVE


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def change(notice, to, editor, reviewer, **fields):
    proposal = validity.propose(
        notice, editor, validity=to, effective_on=datetime.date(2026, 3, 1), **fields
    )
    return validity.approve(proposal, reviewer)


@pytest.fixture
def library(notice_in, editor, reviewer, other_organ):
    new = notice_in(title="甲规章", document_category=RULES, published_at=at(2026, 2, 1))
    notice_in(title="乙规章", document_category=RULES, published_at=at(2025, 2, 1))
    repealed = notice_in(title="丙规章", document_category=RULES, published_at=at(2024, 1, 1))
    change(repealed, "repealed", editor, reviewer, by_notice=new)
    notice_in(title="丁规范", document_category=NORMATIVE, published_at=at(2025, 5, 1))
    lapsed = notice_in(title="戊规范", document_category=NORMATIVE, published_at=at(2023, 5, 1))
    change(lapsed, "expired", editor, reviewer)
    amended = notice_in(title="己规范", document_category=NORMATIVE, published_at=at(2022, 5, 1))
    change(amended, "amended", editor, reviewer, by_document="关于修改的决定")
    # Not in the library: another category, a draft, a withdrawn one.
    notice_in(title="庚通知", published_at=at(2025, 5, 1))
    notice_in("draft", title="辛规章草稿", document_category=RULES)
    notice_in("withdrawn", title="壬已撤回", document_category=RULES, published_at=at(2025, 1, 1))
    return new.organ


def sections_of(page: str) -> dict[str, str]:
    """Each section's text, by its id."""
    parts = {}
    for validity_value in ("valid", "amended", "repealed", "expired"):
        start = page.index(f'id="library-{validity_value}"')
        end = page.find("</section>", start)
        parts[validity_value] = page[start:end]
    return parts


def test_documents_by_validity_with_counts(client, library):
    page = client.get(reverse("notices:organ-documents", args=[library.pk])).content.decode()

    sections = sections_of(page)
    assert "现行有效（3 件）" in sections["valid"]
    assert all(t in sections["valid"] for t in ("甲规章", "乙规章", "丁规范"))
    assert "已修改（1 件）" in sections["amended"] and "己规范" in sections["amended"]
    assert "修改文件：关于修改的决定" in sections["amended"]
    assert "已废止（1 件）" in sections["repealed"] and "丙规章" in sections["repealed"]
    assert "2026年3月1日废止" in sections["repealed"]
    assert "已失效（1 件）" in sections["expired"] and "戊规范" in sections["expired"]
    for absent in ("庚通知", "辛规章草稿", "壬已撤回"):
        assert absent not in page
    counts = page[page.index("文件数量统计") : page.index("</table>")]
    rows = [
        [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
        for row in counts.split("<tbody>")[1].split("</tr>")[:-1]
    ]
    assert rows == [
        ["2", "0", "1", "0", "3"],  # 规章
        ["1", "1", "0", "1", "3"],  # 行政规范性文件
        ["3", "1", "1", "1", "6"],  # 合计
    ]


def test_another_organs_library_is_empty_and_an_unknown_organ_is_404(client, library, other_organ):
    page = client.get(reverse("notices:organ-documents", args=[other_organ.pk]))
    assert "共 0 件" in page.content.decode()
    assert client.get(reverse("notices:organ-documents", args=[999999])).status_code == 404


def test_the_library_takes_three_queries_however_many_documents(
    client, library, notice_in, django_assert_num_queries
):
    # The organ, its documents, and the footer's site identity (a kept list, read each time
    # in tests).
    url = reverse("notices:organ-documents", args=[library.pk])
    with django_assert_num_queries(3):
        client.get(url)
    for n in range(5):
        notice_in(document_category=NORMATIVE, published_at=at(2025, 6, 1 + n))
    with django_assert_num_queries(3):
        client.get(url)


def test_linked_from_the_organ_list_the_organs_catalogue_and_its_column(client, library):
    url = reverse("notices:organ-documents", args=[library.pk])
    column = client.get(reverse("portal:organ-column", args=[library.pk])).content.decode()
    assert f'href="{url}"' in column
    page = client.get(url).content.decode()
    trail = page.split('aria-label="当前位置">')[1].split("</nav>")[0]
    assert reverse("portal:organ-column", args=[library.pk]) in trail
    assert '<span aria-current="page">规范性文件库</span>' in trail
    assert f'href="{url}"' in client.get(reverse("notices:organ-list")).content.decode()
    catalogue = client.get(reverse("notices:notice-list"), {"organ": library.pk})
    assert f'href="{url}"' in catalogue.content.decode()

"""Checking the links of notices and keeping the results (editorial_checks.LinkResult): for
``manage.py check_links`` (every published notice, or one organ's), and for the admin's
“检查链接” on one notice, which the task queue runs (editorial_checks/tasks.py). The report
per organ reads what was kept."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from core.text import formula_guarded
from editorial_checks import links
from editorial_checks.models import AllowedHost, LinkResult
from notices.models import Notice, Organ

Problem = LinkResult.Problem


@dataclass
class Summary:
    notices: int = 0
    links: int = 0
    addresses: int = 0
    dead: int = 0
    outside: int = 0

    def __str__(self) -> str:
        return (
            f"检查了 {self.notices} 条信息中的 {self.links} 个链接（{self.addresses} 个不同地址）："
            f"失效 {self.dead} 个，指向非政府网站 {self.outside} 个。"
        )


def check_notices(notices, checker: links.Checker) -> Summary:
    """Check every link of the notices' bodies (each address once) and replace their results."""
    own = links.own_hosts()
    allowed = list(AllowedHost.objects.values_list("host", flat=True))
    found: dict[int, list[tuple[str, str, str, bool]]] = {}
    for pk, body in notices.values_list("pk", "body").iterator(chunk_size=500):
        found[pk] = [(link, *links.classify(link, own)) for link in links.links_in(body)]
    outside_addresses = {
        address for rows in found.values() for _link, address, _host, is_own in rows if not is_own
    }
    outcomes = checker.check(outside_addresses)
    now = timezone.now()
    results = []
    for pk, rows in found.items():
        for _link, address, host, is_own in rows:
            outcome = links.own_link_outcome(address) if is_own else outcomes[address]
            results.append(
                LinkResult(
                    notice_id=pk,
                    url=address,
                    host=host[:255],
                    government=is_own or links.host_allowed(host, allowed),
                    problem=outcome.problem,
                    status_code=outcome.status_code,
                    checked_at=now,
                )
            )
    with transaction.atomic():
        LinkResult.objects.filter(notice_id__in=list(found)).delete()
        LinkResult.objects.bulk_create(results, batch_size=1000)
    return Summary(
        notices=len(found),
        links=len(results),
        addresses=len(outside_addresses),
        dead=sum(1 for result in results if result.problem),
        outside=sum(1 for result in results if not result.government),
    )


def published_notices(organ: Organ | None = None):
    notices = Notice.objects.published()
    return notices.filter(organ=organ) if organ is not None else notices


def check_published(checker: links.Checker, organ: Organ | None = None) -> Summary:
    """Check the links of every published notice (of one organ): ``manage.py check_links`` and
    the scheduled task (editorial_checks/tasks.py)."""
    return check_notices(published_notices(organ), checker)


FLAGGED = ~Q(problem="") | Q(government=False)


def organ_summary(organs):
    """Per organ: links checked, dead ones, links outside government sites, when last checked
    (one query)."""
    results = "notices__link_results"
    return organs.annotate(
        links_checked=Count(results),
        links_dead=Count(results, filter=~Q(notices__link_results__problem="")),
        links_outside=Count(results, filter=Q(notices__link_results__government=False)),
        links_checked_at=Max("notices__link_results__checked_at"),
    ).filter(links_checked__gt=0)


CSV_HEADER = [
    "发布机构",
    "信息标题",
    "索引号",
    "链接",
    "域名",
    "问题",
    "状态码",
    "非政府网站",
    "检查时间",
]


def report_csv(results) -> str:
    """The flagged links as CSV for a spreadsheet (UTF-8 with BOM, cells guarded)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for result in results.select_related("notice__organ"):
        notice = result.notice
        writer.writerow(
            [
                formula_guarded(notice.organ.name),
                formula_guarded(notice.title),
                notice.index_number or "",
                formula_guarded(result.url),
                result.host,
                result.get_problem_display() if result.problem else "",
                result.status_code or "",
                "" if result.government else "是",
                timezone.localtime(result.checked_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return buffer.getvalue()

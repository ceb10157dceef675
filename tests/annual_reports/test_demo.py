"""The demo: last year's example report counted from example data, published; loading twice
changes nothing."""

import pytest
from django.utils import timezone

from annual_reports import demo_loader
from annual_reports.models import AnnualReport
from applications.roles import HANDLER
from notices import roles
from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


def test_demo_publishes_last_years_report_from_example_data(organ):
    # The accounts the notices' and applications' loaders make; the fixture's organ has the
    # first demo organ's code.
    factories.make_user(roles.EDITOR, [organ], username="editor")
    factories.make_user(roles.REVIEWER, [organ], username="reviewer")
    factories.make_user(HANDLER, [organ], username="handler")
    demo_loader.load()
    demo_loader.load()
    year = timezone.localdate().year - 1
    report = AnnualReport.objects.get(year=year)
    assert AnnualReport.objects.count() == 2
    assert report.is_example and report.state == AnnualReport.State.PUBLISHED
    assert report.notice.title == f"示例：{report.organ.name}{year}年政府信息公开工作年度报告"
    tables = report.published_content["tables"]
    assert tables["3"]["new"]["total"] == 8
    assert tables["3"]["carried_out"]["total"] == 1
    assert tables["3"]["results_total"]["total"] == 7
    assert tables["4"]["review"]["upheld"] == 1
    assert tables["2"]["rules"] == {"issued": 1, "repealed": 1, "in_force": 1}
    assert tables["2"]["normative"] == {"issued": 2, "repealed": 1, "in_force": 2}
    abolished = Notice.objects.get(title="示例：某市旧版政府信息公开办法")
    assert abolished.validity == "repealed"
    assert abolished.superseded_by.title == "示例：某市政府信息公开工作规定"
    assert abolished.validity_changes.get().status == "approved"
    assert report.published_content["findings"] == []
    assert AnnualReport.objects.published().count() == 2
    assert "annual-reports" in demo_loader.describe("http://localhost:8000")[0]

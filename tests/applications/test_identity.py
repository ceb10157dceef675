import pytest

from applications import services
from applications.identity import credit_code_problem, resident_id_problem
from applications.models import Application
from applications.services import ApplicationError
from tests.applications import factories


def test_resident_id_checksum():
    assert resident_id_problem("11010519491231002X") == ""  # GB 11643-1999's example
    assert resident_id_problem("11010519491231002x") == ""
    assert "校验位" in resident_id_problem("110105194912310021")
    assert "出生日期" in resident_id_problem("110105194902301234")
    assert "18位" in resident_id_problem("1101051949")


def test_credit_code_checksum():
    assert credit_code_problem("91350100M000100Y43") == ""
    assert "校验位" in credit_code_problem("91350100M000100Y44")
    assert "不含I、O、Z、S、V" in credit_code_problem("91350100M000100YO3")


def test_submission_with_a_wrong_id_number_is_refused(organ):
    fields = factories.applicant(
        id_type=Application.IdType.RESIDENT_ID, id_number="110105194912310021"
    )
    with pytest.raises(ApplicationError, match="校验位"):
        services.submit(organ, channel="online", **fields)
    fields["id_number"] = "11010519491231002x"
    application, _ = services.submit(organ, channel="online", **fields)
    assert application.id_number == "11010519491231002X"

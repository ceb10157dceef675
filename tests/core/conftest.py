from tests.assessments.test_portal import sheet_in  # noqa: F401 - a fixture the tests share

import pytest

from tests.applications.factories import make_handler


@pytest.fixture
def handler(organ):
    return make_handler(organ)


@pytest.fixture
def other_handler(other_organ):
    return make_handler(other_organ)

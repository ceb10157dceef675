"""Anonymous portal reads go to the replica; writes, staff and the admin use the primary."""

from django.test import RequestFactory, override_settings

from config.db_router import ReplicaReadsMiddleware, ReplicaRouter
from notices.models import Notice


def route_during(request) -> str:
    seen = {}

    def view(request):
        seen["read"] = ReplicaRouter().db_for_read(Notice)
        seen["write"] = ReplicaRouter().db_for_write(Notice)
        return None

    ReplicaReadsMiddleware(view)(request)
    return seen["read"], seen["write"]


@override_settings(USE_READ_REPLICA=True)
def test_anonymous_portal_reads_use_the_replica_and_writes_the_primary():
    assert route_during(RequestFactory().get("/notices/")) == ("replica", "default")


@override_settings(USE_READ_REPLICA=True)
def test_staff_admin_and_posts_use_the_primary():
    factory = RequestFactory()
    signed_in = factory.get("/notices/")
    signed_in.COOKIES["sessionid"] = "abc"
    for request in (signed_in, factory.get("/admin/"), factory.post("/notices/")):
        assert route_during(request) == ("default", "default")


def test_without_a_replica_everything_uses_the_primary():
    assert route_during(RequestFactory().get("/notices/")) == ("default", "default")
    assert ReplicaRouter().db_for_read(Notice) == "default"

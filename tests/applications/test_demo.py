from applications import clock, demo_loader
from applications.models import Application
from notices import demo_loader as notices_demo


def test_demo_covers_the_states_and_loads_once(db):
    notices_demo.load()
    first = demo_loader.load()
    assert len(first) == len(demo_loader.SCENARIOS)
    assert all(application.is_example for application in first)
    states = {application.state for application in first}
    assert {"submitted", "accepted", "awaiting_correction", "extended"} <= states
    assert {"consulting_third_party", "archived"} <= states
    assert Application.objects.overdue().filter(is_example=True).count() == 1
    assert all("示例" in a.applicant_name or "示例" in a.description for a in first)
    demo_loader.load()
    assert Application.objects.count() == len(first)
    calendar = clock.working_calendar()
    extended = Application.objects.get(state="extended")
    assert clock.days_left(extended, calendar) >= 0

"""Applications built through the service functions, with fictional applicants."""

import datetime
import itertools

from applications import services
from applications.models import Application
from applications.roles import HANDLER
from tests import factories

_serial = itertools.count(1)


def make_handler(*organs):
    return factories.make_user(HANDLER, organs)


def applicant(**fields) -> dict:
    n = next(_serial)
    values = {
        "applicant_type": Application.ApplicantType.NATURAL_PERSON,
        "applicant_name": f"测试申请人{n}",
        "id_type": Application.IdType.OTHER,
        "id_number": f"TEST{n:06d}",
        "phone": "010-00000000",
        "email": f"applicant{n}@example.invalid",
        "description": f"关于测试事项{n}的文件",
        "delivery": Application.Delivery.EMAIL,
        "medium": Application.Medium.ELECTRONIC,
    }
    values.update(fields)
    return values


def submitted(organ, actor=None, **fields) -> Application:
    """Online without an actor; a letter entered by ``actor`` otherwise."""
    channel = Application.Channel.LETTER if actor else Application.Channel.ONLINE
    application, _code = services.submit(organ, channel=channel, actor=actor, **applicant(**fields))
    return application


def accepted(organ, handler, received_on=datetime.date(2026, 3, 2), **fields) -> Application:
    """A letter signed for on ``received_on`` (Monday 2 March 2026 by default)."""
    application = submitted(organ, actor=handler, **fields)
    return services.register(application, handler, received_on=received_on)

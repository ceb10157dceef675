from applications.models.application import (
    CLOSED_STATES,
    OPEN_STATES,
    Application,
    ApplicationSequence,
    State,
    normalized_description,
    number_for,
)
from applications.models.calendar_days import CalendarDay
from applications.models.documents import ApplicationGuide, DocumentTemplate
from applications.models.outcomes import CATEGORY, Outcome, OutcomeCategory, outcomes_of
from applications.models.records import (
    AdministrativeReview,
    ApplicationAttachment,
    ApplicationDocument,
    ApplicationEvent,
    Consultation,
    CorrectionRequest,
    Extension,
    Lawsuit,
    ReviewOutcome,
)

__all__ = [
    "CATEGORY",
    "CLOSED_STATES",
    "OPEN_STATES",
    "AdministrativeReview",
    "Application",
    "ApplicationAttachment",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationGuide",
    "ApplicationSequence",
    "CalendarDay",
    "Consultation",
    "CorrectionRequest",
    "DocumentTemplate",
    "Extension",
    "Lawsuit",
    "Outcome",
    "OutcomeCategory",
    "ReviewOutcome",
    "State",
    "normalized_description",
    "number_for",
    "outcomes_of",
]

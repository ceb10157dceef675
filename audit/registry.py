"""Which models the audit history follows, and which of their fields."""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

# Fields that change on every save or every read and say nothing about what someone did.
NOISE = ["updated_at", "lock_version", "view_count", "body_seal"]


def register_models() -> None:
    from assessments import models as assessments
    from notices import models as notices

    auditlog.register(notices.Organ, m2m_fields={"members"})
    auditlog.register(notices.Topic, exclude_fields=["path"])  # derived from the names
    auditlog.register(notices.Notice, exclude_fields=NOISE, m2m_fields={"topics"})
    auditlog.register(notices.Attachment)
    auditlog.register(notices.CitedDocument)
    for model in (
        assessments.GradeBand,
        assessments.UnitGroup,
        assessments.AssessedUnit,
        assessments.Indicator,
        assessments.Score,
        assessments.RectificationReport,
        assessments.ReportAttachment,
        assessments.StatisticReport,
        assessments.StatisticValue,
    ):
        auditlog.register(model)
    auditlog.register(assessments.Assessment, exclude_fields=NOISE)
    auditlog.register(assessments.Finding, m2m_fields={"units"})
    auditlog.register(assessments.Requirement, m2m_fields={"units", "problems"})
    auditlog.register(
        get_user_model(),
        exclude_fields=["last_login"],
        mask_fields=["password"],
        m2m_fields={"groups", "user_permissions"},
    )
    auditlog.register(Group, m2m_fields={"permissions"})

    from importer import models as importer

    # The raw source and extracted text are large and never change after import.
    auditlog.register(importer.ImportedSource, exclude_fields=["raw", "text", "report"])
    auditlog.register(importer.ImportFlag)

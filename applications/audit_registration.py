"""The models of this app that the audit history follows (django-auditlog), registered from
this app so that audit/ does not import it."""

from auditlog.registry import auditlog


def register_models() -> None:
    from applications import models

    # The lookup code's hash says nothing to a reader and must not be copied anywhere else.
    # The applicant's identifiers are masked: the history is kept for ever, the applicant's
    # data only as long as the retention period allows.
    auditlog.register(
        models.Application,
        exclude_fields=["updated_at", "description_key", "lookup_code_hash"],
        mask_fields=[
            "applicant_name",
            "contact_person",
            "id_number",
            "phone",
            "email",
            "postal_address",
        ],
    )
    # A document's text repeats the applicant's name and address: the history records that it
    # was issued (kind, time), not what it says, which stays with the application.
    auditlog.register(models.ApplicationDocument, exclude_fields=["html"])
    for model in (
        models.ApplicationEvent,
        models.ApplicationAttachment,
        models.CorrectionRequest,
        models.Consultation,
        models.Extension,
        models.AdministrativeReview,
        models.Lawsuit,
        models.CalendarDay,
    ):
        auditlog.register(model)


def register_labels() -> None:
    """How the history names a download of an applicant's file (applications/admin.py)."""
    from audit import readable

    readable.ACCESS_EVENTS["application_attachment"] = "下载申请材料"
    readable.DETAIL_LABELS.update({"application": "申请编号", "attachment": "材料编号"})

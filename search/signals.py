"""Signal receivers connected in SearchConfig.ready(): every change of a notice reaches the
search backend's index in the transaction that made it (publish, schedule, correction,
withdrawal, unschedule). Deleting a notice deletes its entry through the foreign key (CASCADE).
Topics are not copied into the index: searches filter and count them through the notice's own
topics."""

from notices.models import Notice
from search.backends import get_backend

NEVER_PUBLIC = {Notice.Status.DRAFT, Notice.Status.IN_REVIEW}


def notice_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or instance.correction_of_id is not None:
        # Fixture loading writes rows as they are; corrections are never public themselves
        # (their approval saves the original, which is indexed then).
        return
    if created and instance.status in NEVER_PUBLIC:
        # A new draft: the index has nothing of it and must have nothing (no entry, nothing
        # due), so there is nothing to write; it is indexed when it is published.
        return
    get_backend().add(instance.pk)

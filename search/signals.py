"""Signal receivers connected in SearchConfig.ready(): every change of a notice reaches the
search backend's index in the transaction that made it (publish, schedule, correction,
withdrawal, unschedule). Deleting a notice deletes its entry through the foreign key (CASCADE).
Topics are not copied into the index: searches filter and count them through the notice's own
topics."""

from search.backends import get_backend


def notice_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.correction_of_id is not None:
        # Fixture loading writes rows as they are; corrections are never public themselves
        # (their approval saves the original, which is indexed then).
        return
    get_backend().add(instance.pk)

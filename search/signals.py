"""Signal receivers connected in SearchConfig.ready(): every change of a notice reaches the
index in the transaction that made it (publish, schedule, correction, withdrawal, unschedule).
Deleting a notice deletes its entry through the foreign key (CASCADE)."""

from search import index
from search.models import SearchEntry


def notice_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.correction_of_id is not None:
        # Fixture loading writes rows as they are; corrections are never public themselves
        # (their approval saves the original, which is indexed then).
        return
    index.sync_notice(instance.pk)


def topics_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    through = SearchEntry.topics.through
    if reverse:
        # topic.notice_set.add/remove/clear: instance is the topic.
        entries = through.objects.filter(topic_id=instance.pk)
        if action == "post_clear":
            entries.delete()
            return
        for notice_id in SearchEntry.objects.filter(pk__in=pk_set).values_list("pk", flat=True):
            index.sync_topics(notice_id)
    elif instance.correction_of_id is None:
        index.sync_topics(instance.pk)

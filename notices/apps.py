from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import pre_save

        from core import page_cache
        from core.text import clean_text_before_save
        from notices import counters, interpretations, models
        from notices.roles import sync_roles_after_migrate

        # Before the audit app connects its receivers (it comes later in INSTALLED_APPS), so
        # that the history records the text as it is stored.
        pre_save.connect(clean_text_before_save, dispatch_uid="core.text.clean")

        # Which cached pages a change touches: a notice's own page and the lists of notices
        # once it has been public; every page for the organs and topics in the navigation.
        def notice_tags(notice) -> list[str]:
            if not notice.affects_portal:
                return []
            # Pages of a document and of its interpretations show each other's links.
            return ["notices", f"notice-{notice.pk}", *interpretations.linked_pages(notice)]

        def remember_link(sender, instance, **kwargs) -> None:
            # Which document a public notice interpreted before this save, whose page shows it.
            if instance.pk is not None and instance.affects_portal:
                stored = models.Notice.objects.filter(pk=instance.pk)
                instance.stored_interprets_id = stored.values_list(
                    "interprets_id", flat=True
                ).first()

        def parent_notice_tags(row) -> list[str]:
            return notice_tags(row.notice)

        def topics_tags(instance) -> list[str]:
            return notice_tags(instance) if isinstance(instance, models.Notice) else ["notices"]

        pre_save.connect(
            remember_link,
            sender=models.Notice,
            weak=False,
            dispatch_uid="notices.interpretations.link",
        )
        page_cache.follow(models.Notice, notice_tags)
        page_cache.follow(models.Attachment, parent_notice_tags)
        page_cache.follow(models.CitedDocument, parent_notice_tags)
        page_cache.follow(models.Notice.topics.through, topics_tags)
        page_cache.follow(models.Organ, lambda organ: [page_cache.SITE])
        page_cache.follow(models.Topic, lambda topic: [page_cache.SITE])
        page_cache.tag_pages_of("notices:notice-detail", "notice")
        page_cache.due_times(
            lambda: (
                models.Notice.objects.scheduled()
                .order_by("published_at")
                .values_list("published_at", flat=True)
                .first()
            )
        )
        page_cache.page_served.connect(counters.count_cached_view, dispatch_uid="notices.views")

        # The audit history follows every row an editor changes, but for the fields that change
        # on every save or read and say nothing about what someone did.
        auditlog.register(models.Organ, m2m_fields={"members"})
        auditlog.register(models.Topic, exclude_fields=["path"])  # derived from the names
        auditlog.register(
            models.Notice,
            exclude_fields=["updated_at", "lock_version", "view_count", "body_seal"],
            m2m_fields={"topics"},
        )
        auditlog.register(models.Attachment)
        auditlog.register(models.CitedDocument)
        auditlog.register(models.ValidityChange)

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="notices.sync_roles")

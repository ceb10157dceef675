from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户栏目"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from core import page_cache, site_name
        from portal import identity, models, roles, statutory

        # The feed and the 503 page (notices, core) name the site as the footer does.
        site_name.register(lambda: identity.current().portal_name)

        # The identity is on every page; the 专栏's pages show the rest.
        page_cache.follow(models.SiteIdentity, lambda row: [page_cache.SITE])
        for model in (
            models.OrganProfile,
            models.Leader,
            models.DisclosureGuide,
            models.DisclosureRules,
            models.StatutoryColumn,
            models.StatutoryColumn.topics.through,
            models.StatutoryColumn.genres.through,
        ):
            page_cache.follow(model, lambda row: ["portal"])

        auditlog.register(models.SiteIdentity, exclude_fields=["updated_at", "emblem"])
        for model in (models.OrganProfile, models.DisclosureGuide, models.DisclosureRules):
            auditlog.register(
                model, exclude_fields=["updated_at", "how_to_apply_seal", "body_seal"]
            )
        auditlog.register(models.Leader)
        auditlog.register(models.StatutoryColumn, m2m_fields={"topics", "genres"})

        # Connected after the notices' own sync (notices comes first in INSTALLED_APPS).
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="portal.roles")
        post_migrate.connect(statutory.seed_after_migrate, dispatch_uid="portal.statutory")

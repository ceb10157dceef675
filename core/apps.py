from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app of the project uses and that belongs to none of them: the page cache,
    pagination, text and upload rules, the Jinja2 environment, the policy and reliability
    middleware. It imports no other app of the project."""

    name = "core"
    verbose_name = "门户基础"

from django.apps import AppConfig


class TestDatabaseConfig(AppConfig):
    """The tests' PostgreSQL backend, installed as an app only for its `flush` command."""

    name = "tests.postgresql"
    label = "test_database"

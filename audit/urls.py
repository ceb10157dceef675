from django.urls import path

from audit import export_views

app_name = "audit"

urlpatterns = [
    path("", export_views.export_records, name="export"),
]

from django.urls import path

from applications import public_views

app_name = "applications"

urlpatterns = [
    path("", public_views.apply, name="apply"),
    path("lookup/", public_views.lookup, name="lookup"),
    path("documents/<str:token>/", public_views.document_page, name="document"),
    path("documents/<str:token>/docx/", public_views.document_docx, name="document-docx"),
]

from django.urls import path

from assessments import views
from core.page_cache import cache_page_for_public as cached

app_name = "assessments"

ASSESSMENTS = ("assessments",)

urlpatterns = [
    path(
        "", cached(views.AssessmentIndexView.as_view(), shows=ASSESSMENTS), name="assessment-index"
    ),
    path(
        "<int:pk>/",
        cached(views.AssessmentDetailView.as_view(), shows=ASSESSMENTS),
        name="assessment-detail",
    ),
    path(
        "units/<int:organ_pk>/",
        cached(views.UnitHistoryView.as_view(), shows=ASSESSMENTS),
        name="unit-history",
    ),
]

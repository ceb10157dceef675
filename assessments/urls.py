from django.urls import path

from assessments import views
from notices.page_cache import cache_page_for_public as cached

app_name = "assessments"

urlpatterns = [
    path("", cached(views.AssessmentIndexView.as_view()), name="assessment-index"),
    path("<int:pk>/", cached(views.AssessmentDetailView.as_view()), name="assessment-detail"),
    path("units/<int:organ_pk>/", cached(views.UnitHistoryView.as_view()), name="unit-history"),
]

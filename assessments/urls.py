from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.AssessmentIndexView.as_view(), name="assessment-index"),
    path("<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("units/<int:organ_pk>/", views.UnitHistoryView.as_view(), name="unit-history"),
]

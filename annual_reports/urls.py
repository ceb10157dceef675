from django.urls import path

from annual_reports import views

app_name = "annual_reports"

urlpatterns = [
    path("", views.report_index, name="report-index"),
    path("summary/<int:year>/", views.year_summary, name="year-summary"),
    path(
        "summary/<int:year>/examples/",
        views.year_summary,
        {"examples": True},
        name="year-summary-examples",
    ),
    path("<int:organ_id>/", views.organ_reports, name="organ-reports"),
    path("<int:organ_id>/<int:year>/", views.report_detail, name="report-detail"),
    path("<int:organ_id>/<int:year>/tables.csv", views.report_csv, name="report-csv"),
    path("<int:organ_id>/<int:year>/tables.xlsx", views.report_xlsx, name="report-xlsx"),
]

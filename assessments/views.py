from django.shortcuts import get_object_or_404, render
from django.views import View

from assessments.models import Assessment


class AssessmentIndexView(View):
    def get(self, request):
        assessments = Assessment.objects.published()
        return render(request, "assessments/assessment_index.html", {"assessments": assessments})


class AssessmentDetailView(View):
    def get(self, request, pk: int):
        assessment = get_object_or_404(Assessment.objects.published(), pk=pk)
        return render(request, "assessments/assessment_detail.html", {"assessment": assessment})


class UnitHistoryView(View):
    def get(self, request, organ_pk: int):
        return render(request, "assessments/unit_history.html", {})

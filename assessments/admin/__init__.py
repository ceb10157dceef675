"""The assessment admin: editors prepare an assessment, reviewers publish it, auditors read it.

Scoping follows the notice admin: every list holds only the organs the user works for (through
the assessment's organ), and nothing of an assessment changes once it has left preparation
(workflow.can_edit). State changes, scores and rectification all go through
assessments.workflow; the score grid and the score-table import and export are views of
AssessmentAdmin that wire assessments.score_io to it.

- ``common``: choices limited to one assessment, the scoped filters, rows of an assessment;
- ``assessment``: the assessment with its rows inline, its workflow and score views;
- ``scores``: the score grid, the import preview, indicators and scores;
- ``rectification``: rectification reports and their verification;
- ``statistics``: statistics forms and reports.

Importing the modules registers their ModelAdmins (Django imports ``assessments.admin``).
"""

from assessments.admin import assessment, rectification, scores, statistics

__all__ = ["assessment", "rectification", "scores", "statistics"]

"""Assessments (考核): scores, problems and rectification. Built on the notices app."""

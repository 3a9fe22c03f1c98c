"""Shared code for the course notebooks: compute, widgets, quizzes and exercise checks."""

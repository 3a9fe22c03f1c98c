"""Fixtures shared by several test files."""

import pytest


@pytest.fixture(scope="session")
def course_data():
    """Notebook 03's vocabulary and its training and validation ids, loaded once per test session."""
    from helpers import lm_seeds

    return lm_seeds.course_ids()

"""Shared fixtures: a fresh logdir and a private Store per test."""

from __future__ import annotations

import pytest

from nbboard.store import Store


@pytest.fixture
def store() -> Store:
    """A Store of the test's own, so tests do not see each other's runs."""
    return Store()

"""Level 6 fixtures: one BM25 retriever over the course's notes, and the databases the storage runs on.

The storage tests run on SQLite always, and on PostgreSQL when BUILDAI_TEST_POSTGRES_URL names one
(`.ci/run` starts Debian's PostgreSQL and sets it). Each PostgreSQL test gets a schema of its own, dropped
afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from level_6_rag_tutor.knowledge_base import load_passages
from level_6_rag_tutor.retrieval import Retriever
from level_6_rag_tutor.storage import Storage
from level_6_rag_tutor.tutor import Tutor

POSTGRES_ENV = "BUILDAI_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def bm25_retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    return Retriever(load_passages(), "bm25", tmp_path_factory.mktemp("index"))


@pytest.fixture
def tutor(bm25_retriever: Retriever) -> Tutor:
    return Tutor(bm25_retriever)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'tutor.sqlite3').as_posix()}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"no PostgreSQL to test against (set {POSTGRES_ENV})")
    from sqlalchemy import create_engine, text

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage(database_url)
    yield store
    store.engine.dispose()

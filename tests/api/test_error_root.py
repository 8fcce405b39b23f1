"""One exception root: every error class the products define subclasses `espqb.errors.EspqbError`,
and carries what the one problem+json handler needs (an HTTP status, a slug, a title)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from fastapi import FastAPI

import espqb
import espqb_cli
import qbo_gateway
import qbwc_gateway
from espqb.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, NotFound, install_error_handlers
from espqb.errors import EspqbError
from espqb.queue.errors import EnqueueConflict, JobNotFound

PRODUCTS = (espqb, qbo_gateway, qbwc_gateway, espqb_cli)

# Exceptions deliberately not product errors. None: the private control-flow ones are under the root
# too, with the status they stand for (e.g. the body-size middleware's 413).
NOT_UNDER_THE_ROOT: frozenset[str] = frozenset()


def _modules() -> Iterator[ModuleType]:
    for package in PRODUCTS:
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            yield importlib.import_module(info.name)


def _product_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    names = {package.__name__ for package in PRODUCTS}
    for module in _modules():
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.split(".")[0] in names:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


EXCEPTIONS = _product_exceptions()


def test_the_walk_finds_the_error_classes_of_every_product() -> None:
    modules = {cls.__module__.split(".")[0] for cls in EXCEPTIONS}
    assert modules == {"espqb", "qbo_gateway", "qbwc_gateway"}  # the CLI defines none of its own
    assert len(EXCEPTIONS) > 40


def test_every_product_exception_subclasses_the_root() -> None:
    outside = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in EXCEPTIONS
        if not issubclass(cls, EspqbError)
        and f"{cls.__module__}.{cls.__qualname__}" not in NOT_UNDER_THE_ROOT
    ]
    assert outside == []


def test_every_error_names_its_status_slug_and_title() -> None:
    for cls in EXCEPTIONS:
        if not issubclass(cls, EspqbError):
            continue
        assert isinstance(cls.status, int) and 400 <= cls.status <= 599, cls
        assert isinstance(cls.slug, str) and cls.slug and cls.slug == cls.slug.strip().lower(), cls
        assert " " not in cls.slug, cls
        assert isinstance(cls.title, str) and cls.title.strip(), cls


def _app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


async def _answer(error: Exception) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app_raising(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get("/boom")


class _Broken(EspqbError):
    """An internal error (500): its slug and words stay in the log."""

    slug, title = "broken-thing", "A thing broke"


GENERIC_500 = {
    "type": PROBLEM_BASE + "internal-error",
    "title": "Internal error",
    "status": 500,
    "detail": "Something went wrong on our side; it has been logged.",
}


@pytest.mark.parametrize(
    ("error", "body"),
    [
        pytest.param(
            JobNotFound("There is no such send for this company."),
            {"type": PROBLEM_BASE + "job-not-found", "title": "Not found", "status": 404}
            | {"detail": "There is no such send for this company.", "instance": "/boom"},
            id="queue-error",
        ),
        pytest.param(
            EnqueueConflict("please try again"),
            {"type": PROBLEM_BASE + "enqueue-conflict", "title": "Try again", "status": 503}
            | {"detail": "please try again", "instance": "/boom"},
            id="queue-error-503",
        ),
        pytest.param(
            NotFound("No such order.", extra={"order_number": "A7102"}),
            {"type": PROBLEM_BASE + "not-found", "title": "Not found", "status": 404}
            | {"detail": "No such order.", "instance": "/boom", "order_number": "A7102"},
            id="api-error-with-extra-fields",
        ),
        pytest.param(_Broken("secret internal detail"), GENERIC_500, id="internal-error-without-its-words"),
    ],
)
async def test_a_product_error_renders_as_its_problem(error: EspqbError, body: dict[str, object]) -> None:
    answer = await _answer(error)
    assert answer.status_code == body["status"]
    assert answer.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert answer.json() == body

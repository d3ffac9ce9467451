"""End-to-end: ``icsys serve`` on the demo world, driven by Debian's Chromium through Playwright.

The demo world is built once per session in a temporary ``ICSYS_HOME`` (``icsys demo
--no-serve``); accounts are made with ``icsys users add``; ``icsys serve`` runs as a subprocess on
a free loopback port. Without Chromium (``/usr/bin/chromium``) or the Playwright package the tests
skip, unless ICSYS_STRICT_SERVICES=1 (CI), when they fail. Screenshots are kept in
``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from icsys.store import governance_models as g

CHROMIUM = Path(os.environ.get("ICSYS_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts
ICSYS = [sys.executable, "-m", "icsys"]


@dataclass(frozen=True)
class Portal:
    url: str
    home: Path
    system: str
    other_system: str
    body: str
    meeting: str
    confidential: str
    public_paper: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pick(home: Path) -> dict[str, str]:
    """A member of a body that has private business and confidential papers, and its records."""
    engine = create_engine(f"sqlite:///{home / 'icsys.sqlite'}")
    m, i, mt, p = g.gov_member, g.gov_item, g.gov_meeting, g.gov_paper
    private = (
        select(mt.c.body_id)
        .join(i, i.c.meeting_id == mt.c.id)
        .join(p, p.c.item_id == i.c.id)
        .where(i.c.part == "private", p.c.classification == "confidential", mt.c.public_part)
    )
    with engine.connect() as conn:
        person, body, system = conn.execute(
            select(m.c.person_id, m.c.body_id, g.gov_body.c.system_code)
            .join(g.gov_body, g.gov_body.c.id == m.c.body_id)
            .where(m.c.valid_to.is_(None), m.c.body_id.in_(private))
            .order_by(m.c.id)
        ).first()
        meeting, confidential = conn.execute(
            select(mt.c.id, p.c.id)
            .join(i, i.c.meeting_id == mt.c.id)
            .join(p, p.c.item_id == i.c.id)
            .where(
                mt.c.body_id == body,
                i.c.part == "private",
                p.c.classification == "confidential",
                mt.c.public_part,
            )
            .order_by(mt.c.meeting_date.desc())
        ).first()
        public_paper = conn.execute(
            select(p.c.id)
            .join(i, i.c.id == p.c.item_id)
            .where(i.c.meeting_id == meeting, p.c.classification == "public", i.c.part == "public")
        ).scalar()
        other = conn.execute(
            select(g.gov_body.c.system_code).where(g.gov_body.c.system_code != system)
        ).scalar()
    engine.dispose()
    return {
        "person": person,
        "body": body,
        "system": system,
        "meeting": meeting,
        "confidential": confidential,
        "public_paper": public_paper,
        "other_system": other,
    }


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(
        ICSYS + args, env=env, input=stdin, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _wait(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"icsys serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/me", timeout=2) as response:  # noqa: S310
                if json.load(response)["role"] == "anonymous":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("icsys serve did not answer within 60 s")


@pytest.fixture(scope="session")
def portal(
    tmp_path_factory: pytest.TempPathFactory, missing_service: Callable[[str], None]
) -> Iterator[Portal]:
    if not CHROMIUM.exists():
        missing_service(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing_service("the playwright package is not installed")
    home = tmp_path_factory.mktemp("portal") / "icsys-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICSYS_DATABASE")}
    env["ICSYS_HOME"] = str(home)
    _run(["demo", "--no-serve"], env)
    picked = _pick(home)
    _run(["users", "add", "member", "--role", "member", "--person", picked["person"],
          "--password-stdin"], env, PASSWORD + "\n")  # fmt: skip
    _run(["users", "add", "analyst", "--role", "analyst", "--system", picked["system"],
          "--password-stdin"], env, PASSWORD + "\n")  # fmt: skip
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    server = subprocess.Popen(
        [*ICSYS, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(url, server)
        yield Portal(
            url=url,
            home=home,
            system=picked["system"],
            other_system=picked["other_system"],
            body=picked["body"],
            meeting=picked["meeting"],
            confidential=picked["confidential"],
            public_paper=picked["public_paper"],
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser(portal: Portal) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as play:
        found = play.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield found
        found.close()


@pytest.fixture
def page(browser: Any, portal: Portal) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; console errors fail the test."""
    context = browser.new_context(base_url=portal.url, accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    # Errors in scripts, CSP violations and any asset that fails to load (the page itself may
    # be an error page on purpose, so documents are not counted).
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type not in {"document", "fetch"}
            else None
        ),
    )
    yield tab
    context.close()
    assert errors == [], errors


@pytest.fixture(scope="session")
def shoot() -> Callable[[Any, str], Path]:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def axe() -> Callable[[Any], list[dict[str, Any]]]:
    """Serious and critical axe-core violations on the page: WCAG 2.2 A and AA rules (with the
    2.5.8 target-size rule, off by default in axe) and axe's best practices."""
    source = AXE.read_text(encoding="utf-8")

    def check(tab: Any) -> list[dict[str, Any]]:
        if not tab.evaluate("typeof window.axe !== 'undefined'"):
            tab.evaluate(source + "\n;0")  # evaluated by the driver, not blocked by the CSP
        result = tab.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: {'target-size': {enabled: true}}})",
            AXE_TAGS,
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    return check


@pytest.fixture
def sign_in() -> Callable[[Any, str], None]:
    def go(tab: Any, username: str) -> None:
        tab.goto("/sign-in")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url("**/")
        assert username in tab.locator(".nhsuk-header__account").inner_text()

    return go

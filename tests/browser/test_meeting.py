"""A meeting in two (and three) browser tabs: create and join, see each other, chat both
ways, a hand, a poll to its result, the waiting room, a kick; and a dropped socket that
comes back with the same participant id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.conftest import Shots
from tests.support.proxy import Proxy
from tests.support.server import ServerProcess


@pytest.fixture
async def tabs(browser: Browser) -> AsyncIterator[list[Page]]:
    """Pages in separate browser contexts (no shared storage), closed after the test."""
    contexts = [await browser.new_context() for _ in range(3)]
    pages = [await context.new_page() for context in contexts]
    errors: list[str] = []
    for page in pages:  # a script error or a CSP violation fails the test
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: _csp(msg.text, errors))
    yield pages
    for context in contexts:
        await context.close()
    assert not errors, errors


def _csp(text: str, errors: list[str]) -> None:
    if "Content Security Policy" in text:
        errors.append(text)


async def create_room(page: Page, base_url: str, name: str, password: str = "") -> str:
    """Create a room as ``name`` on the page; returns its invite link."""
    await page.goto(base_url + "/")
    form = page.get_by_role("form", name="Start a meeting")
    await form.get_by_label("Your name").fill(name)
    await form.get_by_label("Room password (optional)").fill(password)
    await form.get_by_role("button", name="Create room").click()
    await expect(page.get_by_role("status")).to_have_text(f"In the meeting as {name}.")
    link = await page.get_by_label("Invite link").input_value()
    assert link.startswith(base_url + "/#invite=")
    return link


async def join(page: Page, link: str, name: str) -> None:
    await page.goto(link)
    form = page.get_by_role("form", name="Join the meeting")
    await form.get_by_label("Your name").fill(name)
    await form.get_by_role("button", name="Join").click()


def participant(page: Page, name: str) -> Locator:
    return page.locator("#participants li", has_text=name)


async def test_a_meeting_in_two_tabs(
    demo_server: ServerProcess, tabs: list[Page], shots: Shots
) -> None:
    alice, bob, carol = tabs
    link = await create_room(alice, demo_server.base_url, "Alice")
    await expect(alice.locator("#me-role")).to_have_text("moderator")
    await shots.take("created", alice=alice)

    await join(bob, link, "Bob")
    await expect(bob.get_by_role("status")).to_have_text("In the meeting as Bob.")
    await expect(participant(bob, "Alice")).to_be_visible()
    await expect(participant(alice, "Bob")).to_be_visible()
    await expect(bob.locator("#me-role")).to_have_text("guest")
    await shots.take("joined", alice=alice, bob=bob)

    await alice.get_by_label("Message").fill("Hello Bob!")
    await alice.get_by_role("button", name="Send").click()
    await expect(bob.locator("#messages")).to_contain_text("Hello Bob!")
    await bob.get_by_label("To").select_option(label="Alice")
    await bob.get_by_label("Message").fill("Hi Alice, just you")
    await bob.get_by_role("button", name="Send").click()
    await expect(alice.locator("#messages li").last).to_contain_text("Hi Alice, just you")
    await expect(alice.locator("#messages li").last).to_contain_text("Bob → you (private)")
    await expect(bob.locator("#messages li").last).to_contain_text("you → Alice (private)")
    await shots.take("chat", alice=alice, bob=bob)

    await bob.get_by_role("button", name="Raise hand").click()
    await expect(bob.get_by_role("button", name="Lower hand")).to_be_visible()
    await expect(participant(alice, "Bob").get_by_role("img", name="hand raised")).to_be_visible()
    await shots.take("hand", alice=alice, bob=bob)
    await bob.get_by_role("button", name="Lower hand").click()
    await expect(participant(alice, "Bob").get_by_role("img", name="hand raised")).to_have_count(0)

    await expect(bob.locator("#poll-form")).to_be_hidden()  # guests do not start polls
    await alice.get_by_label("Question").fill("Lunch?")
    await alice.get_by_label("Choices, one per line").fill("Pizza")
    await alice.get_by_role("button", name="Start poll").click()
    await expect(alice.get_by_role("status")).to_have_text(
        "The server refused that: invalid_choice_count."
    )
    await alice.get_by_label("Choices, one per line").fill("Pizza\nSushi\n")
    await alice.get_by_role("button", name="Start poll").click()
    await bob.get_by_role("button", name="Vote Sushi").click()
    sushi = alice.locator("#poll-choices-list li", has_text="Sushi")
    await expect(sushi).to_contain_text("1 vote")  # a live poll: counts while it runs
    await alice.get_by_role("button", name="Vote Sushi").click()
    await expect(sushi).to_contain_text("2 votes")
    await shots.take("poll", alice=alice, bob=bob)
    await alice.get_by_role("button", name="Finish poll").click()
    for page in (alice, bob):
        await expect(page.locator("#poll-topic-text")).to_have_text("Lunch? (final results)")
        await expect(page.locator("#poll-choices-list li", has_text="Sushi")).to_contain_text(
            "2 votes"
        )
        await expect(page.locator("#poll-choices-list li", has_text="Pizza")).to_contain_text(
            "0 votes"
        )
    await shots.take("poll-done", alice=alice, bob=bob)

    await alice.get_by_label("Waiting room on").check()
    await join(carol, link, "Carol")
    await expect(carol.get_by_role("heading", name="Waiting room")).to_be_visible()
    await expect(participant(alice, "Carol")).to_have_count(0)
    await shots.take("waiting", alice=alice, carol=carol)
    await alice.get_by_role("button", name="Accept Carol").click()
    await expect(carol.get_by_role("status")).to_have_text("In the meeting as Carol.")
    await expect(participant(alice, "Carol")).to_be_visible()
    await expect(participant(carol, "Bob")).to_be_visible()

    await alice.get_by_role("button", name="Kick Bob").click()
    await expect(bob.locator("#ended-reason")).to_have_text(
        "A moderator removed you from the meeting."
    )
    await expect(participant(alice, "Bob")).to_have_count(0)
    await expect(participant(carol, "Bob")).to_have_count(0)
    await shots.take("kicked", alice=alice, bob=bob)


async def test_a_password_room_asks_the_guest(demo_server: ServerProcess, tabs: list[Page]) -> None:
    alice, bob, _ = tabs
    link = await create_room(alice, demo_server.base_url, "Alice", password="s3cret")
    await bob.goto(link)
    await expect(bob.get_by_role("status")).to_have_text("This room has a password.")
    form = bob.get_by_role("form", name="Join the meeting")
    await form.get_by_label("Room password").fill("wrong")
    await form.get_by_role("button", name="Join").click()
    await expect(bob.get_by_role("status")).to_contain_text("Could not join")
    await form.get_by_label("Room password").fill("s3cret")
    await form.get_by_role("button", name="Join").click()
    await expect(participant(bob, "Alice")).to_be_visible()


async def test_a_dropped_socket_resumes_with_the_same_participant_id(
    demo_server: ServerProcess, tabs: list[Page], shots: Shots
) -> None:
    """The tab reaches the server through a proxy that drops every connection: the socket
    closes with 1006, the page starts again with its resumption token and keeps its id."""
    alice, bob, _ = tabs
    proxy = await Proxy(demo_server.port).start()
    try:
        via_proxy = f"http://127.0.0.1:{proxy.port}"
        link = await create_room(alice, via_proxy, "Alice")
        before = await alice.locator("#me-id").text_content()
        await join(bob, link.replace(via_proxy, demo_server.base_url), "Bob")
        await expect(participant(bob, "Alice")).to_be_visible()

        cut = asyncio.create_task(proxy.cut(1.0))
        await expect(alice.get_by_role("status")).to_contain_text("reconnecting", ignore_case=True)
        await cut
        await expect(alice.get_by_role("status")).to_have_text("In the meeting as Alice.")
        await expect(alice.locator("#me-id")).to_have_text(before or "")
        await expect(participant(bob, "Alice")).to_have_count(1)
        await shots.take("resumed", alice=alice, bob=bob)
        await alice.get_by_label("Message").fill("still here")
        await alice.get_by_role("button", name="Send").click()
        await expect(bob.locator("#messages")).to_contain_text("still here")
    finally:
        await proxy.close()

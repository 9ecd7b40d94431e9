"""The committed AsyncAPI document, reshaped for model generation (Modelina, which is what
``asyncapi generate models`` runs). Only names and the operation layout change; every schema
stays as written.

Usage: ``codegen_view.py DOCUMENT.json OUTPUT.json`` (``DOCUMENT.json`` is
``protocol/asyncapi.yaml`` as JSON: ``asyncapi format protocol/asyncapi.yaml -f json``).

Why: Modelina 4.4 turns the messages of each operation into one union model named after the
*channel*; the document has one channel (``signaling``) and twelve operations, so every union
overwrites the previous one and only the models reachable from the last operation
(``polls.events``) are generated. It names a model after the schema's ``title`` (five titles
repeat across namespaces: ``Error``, ``Joined``, ``Left``, ``Start``, ``Started``) and calls
untitled schemas, like every message envelope, ``AnonymousSchemaNNN``. So here:

1. one operation per message (a single-message operation generates that message's payload
   model directly, with no channel-named union);
2. ``components/schemas`` titles become unique class names: ``chat.MessageSent`` →
   ``ChatMessageSent`` (top-level names such as ``Participant`` stay);
3. each message's envelope gets a title: ``chat.message_sent`` → ``ChatMessageSentFrame``.

Each step is skipped where the document already has that shape, so this stays correct if the
document adopts it.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def class_name(key: str) -> str:
    """``chat.MessageSent`` → ``ChatMessageSent``; ``chat.message_sent`` → ``ChatMessageSent``."""
    return "".join(part[:1].upper() + part[1:] for part in key.replace(".", "_").split("_"))


def frame_class(message: str) -> str:
    """The model class of a message's whole frame: ``chat.message_sent`` →
    ``ChatMessageSentFrame`` (the client's dispatcher uses the same rule)."""
    return class_name(message) + "Frame"


def view(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    changes: list[str] = []
    components = document["components"]

    operations: dict[str, Any] = {}
    for name, operation in document["operations"].items():
        if len(operation["messages"]) <= 1:
            operations[name] = operation
            continue
        for ref in operation["messages"]:
            message = ref["$ref"].rsplit("/", 1)[1]
            operations[message] = {
                "action": operation["action"],
                "channel": operation["channel"],
                "messages": [ref],
            }
        changes.append(f"operation {name}: split into {len(operation['messages'])}")
    document["operations"] = operations

    titles: dict[str, str] = {}
    for key, schema in components["schemas"].items():
        title = class_name(key)
        if schema.get("title") != title:
            schema["title"] = title
            changes.append(f"schema {key}: title {title}")
        titles.setdefault(title, key)
        if titles[title] != key:
            raise SystemExit(f"codegen view: {key} and {titles[title]} both map to {title}")

    for key, message in components["messages"].items():
        title = frame_class(key)
        if message["payload"].get("title") != title:
            message["payload"]["title"] = title
            changes.append(f"message {key}: envelope title {title}")
        if titles.setdefault(title, key) != key:
            raise SystemExit(f"codegen view: {key} and {titles[title]} both map to {title}")
    return document, changes


def main(argv: list[str]) -> int:
    source, target = argv
    with open(source, encoding="utf-8") as f:
        document = json.load(f)
    result, changes = view(document)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    operations = sum(c.startswith("operation") for c in changes)
    titles = len(changes) - operations
    print(f"codegen view: {operations} operations split, {titles} titles set -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

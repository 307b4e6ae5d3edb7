"""Block Kit validation for the fake Slack Web API: a subset of what Slack checks, the limits a bot is likely to
break (https://docs.slack.dev/reference/block-kit). Messages take up to 50 blocks; modals up to 100, and only
modals take input blocks."""

from __future__ import annotations

from typing import Any

__all__ = ["block_errors", "view_errors"]


def _text_errors(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where}: must be a text object of type {'/'.join(kinds)}"]
    if not isinstance(obj.get("text"), str) or not 1 <= len(obj["text"]) <= limit:
        return [f"{where}: text must be 1-{limit} characters"]
    return []


def _input_errors(block: dict[str, Any], where: str) -> list[str]:
    errors = _text_errors(block.get("label"), f"{where}.label", 2000, ("plain_text",))
    if "hint" in block:
        errors += _text_errors(block["hint"], f"{where}.hint", 2000, ("plain_text",))
    element = block.get("element")
    if not isinstance(element, dict) or element.get("type") != "plain_text_input":
        return [*errors, f"{where}.element: only plain_text_input is supported by this fake"]
    if not 1 <= len(str(element.get("action_id") or "x")) <= 255:
        errors.append(f"{where}.element.action_id: at most 255 characters")
    if "placeholder" in element:
        errors += _text_errors(element["placeholder"], f"{where}.element.placeholder", 150, ("plain_text",))
    low, high = element.get("min_length", 0), element.get("max_length", 3000)
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 3000 and high >= 1):
        errors.append(f"{where}.element: min_length/max_length must be 0-3000 and 1-3000")
    return errors


def block_errors(blocks: Any, *, modal: bool = False) -> list[str]:
    most = 100 if modal else 50
    if not isinstance(blocks, list) or len(blocks) > most:
        return [f"blocks must be a list of at most {most} blocks"]
    errors: list[str] = []
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids or len(block_id) > 255:
                errors.append(f"{where}.block_id: must be unique and at most 255 characters")
            block_ids.add(block_id)
        kind = block.get("type")
        if kind == "section":
            errors += _text_errors(block.get("text"), f"{where}.text", 3000)
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                errors.append(f"{where}.elements: 1-10 elements")
            for j, element in enumerate(elements):
                errors += _text_errors(element, f"{where}.elements[{j}]", 3000)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                errors.append(f"{where}.elements: 1-25 elements")
            for j, button in enumerate(elements):
                at = f"{where}.elements[{j}]"
                if button.get("type") != "button":
                    errors.append(f"{at}: only buttons are supported by this fake")
                    continue
                errors += _text_errors(button.get("text"), f"{at}.text", 75, ("plain_text",))
                action_id = button.get("action_id")
                if action_id is not None and (action_id in action_ids or len(action_id) > 255):
                    errors.append(f"{at}.action_id: must be unique in the message")
                action_ids.add(action_id)
                if len(str(button.get("value", ""))) > 2000 or len(str(button.get("url", ""))) > 3000:
                    errors.append(f"{at}: value at most 2000, url at most 3000 characters")
                if button.get("style") not in (None, "primary", "danger"):
                    errors.append(f"{at}.style: must be primary or danger")
        elif kind == "input" and modal:
            errors += _input_errors(block, where)
        elif kind not in ("divider", "header"):
            errors.append(f"{where}.type: unsupported block type {kind!r}")
    return errors


def view_errors(view: Any) -> list[str]:
    """A modal for views.open: title, submit and close at most 24 characters; a submit button whenever it has
    an input; private_metadata at most 3000 characters, callback_id at most 255."""
    if not isinstance(view, dict) or view.get("type") != "modal":
        return ["view: must be an object of type modal"]
    errors = _text_errors(view.get("title"), "view.title", 24, ("plain_text",))
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(b.get("type") == "input" for b in blocks)
    for button in ("submit", "close"):
        if button in view:
            errors += _text_errors(view[button], f"view.{button}", 24, ("plain_text",))
        elif button == "submit" and has_input:
            errors.append("view.submit: required when the view has an input block")
    if len(str(view.get("private_metadata", ""))) > 3000:
        errors.append("view.private_metadata: at most 3000 characters")
    if len(str(view.get("callback_id", ""))) > 255:
        errors.append("view.callback_id: at most 255 characters")
    return errors + block_errors(blocks, modal=True)

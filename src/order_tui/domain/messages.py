"""The catalog of messages the rules give the operator, in Simplified Chinese and English.

A rule that says no raises an error with a `code` from this catalog and the `params` its
text needs. `str(error)` is the English text (logs, the command line in English); a screen
calls `localized(error, lang)` for the operator's language. A parameter may itself be a
(zh, en) pair, such as a status label, and is picked by language when the text is made.

Codes are namespaced by the module that raises them ("order.", "intake.", "code.", ...).
"""

from collections.abc import Mapping

Pair = tuple[str, str]

MESSAGES: dict[str, Pair] = {}


def register(messages: Mapping[str, Pair]) -> None:
    """Add a module's messages; a code defined twice with other text is a bug."""
    clash = sorted(c for c in messages if c in MESSAGES and MESSAGES[c] != messages[c])
    if clash:
        raise ValueError(f"message codes defined twice: {', '.join(clash)}")
    empty = sorted(c for c, (zh, en) in messages.items() if not zh or not en)
    if empty:
        raise ValueError(f"message codes without both languages: {', '.join(empty)}")
    MESSAGES.update(messages)


def _pick(value: object, lang: str) -> object:
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0] if lang == "zh" else value[1]
    return value


def text(code: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """The message `code` in `lang` ("zh" or "en") with `params` filled in."""
    zh, en = MESSAGES[code]
    template = zh if lang == "zh" else en
    values = {k: _pick(v, lang) for k, v in (params or {}).items()}
    return template.format(**values)


def localized(error: BaseException, lang: str) -> str:
    """The operator's-language line for `error`: its code's text, else its message as written."""
    code = getattr(error, "code", None)
    if code and code in MESSAGES:
        return text(code, lang, getattr(error, "params", None))
    return str(error)


def pair(error: BaseException) -> Pair:
    """`error` in both languages, to pass on as a parameter of another message."""
    return localized(error, "zh"), localized(error, "en")

"""Terminal-cell arithmetic for columns that mix Chinese (2 cells) and ASCII (1 cell)."""

from rich.cells import cell_len, get_character_cell_size

ELLIPSIS = "…"


def fit(text: str, width: int, align: str = "left") -> str:
    """`text` cut or padded to exactly `width` terminal cells.

    A cut ends in an ellipsis; a double-width character that would straddle the edge is
    dropped rather than split (the gap is padded), so columns stay aligned.
    """
    if width <= 0:
        return ""
    text = " ".join(text.split())  # no newlines or tabs inside a cell
    length = cell_len(text)
    if length > width:
        text = crop(text, width - 1) + ELLIPSIS
        length = cell_len(text)
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


def crop(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells (never half a wide character)."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > width:
            return text[:index]
    return text


def width_of(text: str) -> int:
    return cell_len(text)

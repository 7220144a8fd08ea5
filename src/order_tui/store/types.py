"""Column types that keep money exact.

SQLite stores NUMERIC as a float and its SUM drifts (notes/data-layer.md section 5), so every
Decimal is stored as a scaled integer: amounts in fen, unit prices in millionths, quantities in
ten-thousandths. Code above the store sees Decimal only.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places
        self._factor = Decimal(10) ** places
        self._quantum = Decimal(1).scaleb(-places)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money and quantities must be Decimal, not float")
        dec = Decimal(value)
        scaled = dec * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # SUM() over the column may come back as Decimal or int depending on the driver.
        return (Decimal(value) / self._factor).quantize(self._quantum, rounding=ROUND_HALF_UP)


def Fen() -> ScaledDecimal:
    return ScaledDecimal(2)


def Micros() -> ScaledDecimal:
    return ScaledDecimal(6)


def Quantity() -> ScaledDecimal:
    return ScaledDecimal(4)

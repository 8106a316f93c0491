"""Database ids taken from request parameters, checked before any conversion.

Python refuses int() of strings over 4,300 digits (a ValueError that became a 500), str.isdigit()
accepts digits int() rejects ("²"), and PostgreSQL's bigint stops at 2**63 - 1: anything that
is not a sane id is None here, and views answer it as "not found".
"""

MAX_ID = 2**63 - 1  # BigAutoField
MAX_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: str | None) -> int | None:
    if not value or len(value) > MAX_ID_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None

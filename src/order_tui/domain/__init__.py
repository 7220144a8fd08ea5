"""Pure business rules: no I/O, no UI, no SQL."""

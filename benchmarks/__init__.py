"""Benchmarks of order-tui: each module measures one thing and prints a table.

Run one with `python -m benchmarks.<name> --help`. They use seeded databases
(`order-tui seed --orders N`) kept in a cache directory between runs, because seeding a
million orders takes minutes.
"""

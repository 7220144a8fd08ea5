"""The database: tables, engine factory, migrations, numbering counters and queries."""

"""Storage: the schema (SQLModel tables + Alembic migrations) and the connection layer.

Importing this package is cheap: the SQLModel tables (``minicrm.store.tables``) and Alembic are
imported only to create or migrate a schema, never on the read and write paths, which talk
DB-API (sqlite3 or psycopg) through ``minicrm.store.db``.
"""

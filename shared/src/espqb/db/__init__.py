"""Database: the metadata (with a naming convention), the tables, and the async engine/session."""

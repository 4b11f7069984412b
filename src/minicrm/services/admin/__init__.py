"""Running minicrm: the database itself (init, location, upgrade) and doctor."""

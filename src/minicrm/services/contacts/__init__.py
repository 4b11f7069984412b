"""Contacts: their writes, reads, duplicates, privacy and paging."""

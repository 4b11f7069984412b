"""Moving data in and out: import, export, the JSON archive, bulk writes, backup."""

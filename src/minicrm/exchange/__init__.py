"""Pure, database-free readers and writers for CSV, vCard and iCalendar exchange."""

"""The four screens: Today, Contacts, Pipeline, Follow-ups."""

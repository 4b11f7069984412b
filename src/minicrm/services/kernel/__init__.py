"""The kernel every use case runs on: the context, the unit of work and the hooks it fires, who
acts (users), references, validation and tags."""

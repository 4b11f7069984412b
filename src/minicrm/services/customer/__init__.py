"""The customer's side: segments, campaigns, service requests, purchases."""

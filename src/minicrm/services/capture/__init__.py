"""Capture: mail and meetings from the user's own mailbox and calendar, on the timeline; and
mail written from minicrm (``compose``)."""

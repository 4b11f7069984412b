"""Deals: writes, pipelines and stages, the board, the sales reports."""

"""analytics/methods."""

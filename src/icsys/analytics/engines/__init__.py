"""Engines that run the indicator plan: DuckDB (default), Spark (scale-out), and a Polars
reference written independently of the Ibis plan (the oracle of the property tests)."""

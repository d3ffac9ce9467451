"""Assessment: maturity frameworks as versioned data, the evaluator, oversight segmentation,
peer groups and like-for-like comparison (docs/assessment.md)."""

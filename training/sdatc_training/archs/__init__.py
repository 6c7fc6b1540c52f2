"""Network definitions, one file per module of the paper."""

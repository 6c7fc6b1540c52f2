"""Training data: the paper's degradation as a data transform, and the datasets built on it."""

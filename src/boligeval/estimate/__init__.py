"""boligeval.estimate."""

"""boligeval.report."""

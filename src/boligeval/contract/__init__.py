"""boligeval.contract."""

"""boligeval.survey."""

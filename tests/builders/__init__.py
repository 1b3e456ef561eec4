"""Builders of the hand-made inputs that several test modules share."""

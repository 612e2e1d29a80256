"""Your data (issue 17): export everything about a user, erase it after a grace period."""

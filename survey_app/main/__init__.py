"""The home page: who you are, for which unit, and the open round."""

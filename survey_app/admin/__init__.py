"""Administration pages: units, users, rounds, routing, question banks, audit log, reminders."""

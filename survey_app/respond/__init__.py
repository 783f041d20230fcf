"""The respondent side: a unit fills, saves, resumes and submits its groups."""

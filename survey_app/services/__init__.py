"""Services: the only layer that joins the database to the pure packages.

Views call a service; a service loads rows, calls pure code
(:mod:`survey_app.questionnaires`, :mod:`survey_app.scoring`) and writes
rows. Services never read the request or the logged-in user themselves.
"""

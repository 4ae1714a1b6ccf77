-- Resume tokens now start with their run's id, so a resume finds the run by primary key: the
-- index of tokens (a random key, so a random page written per insert) is no longer needed.
DROP INDEX runs_resume_token;

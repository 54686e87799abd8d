-- Marks the file as Parley's, so that a start on another program's SQLite
-- file stops instead of writing Parley's tables into it ("PRLY").
PRAGMA application_id = 1347570777;

"""`gmctl db adopt`: take over the live database that the schema document built.

Production was built from the document's SQL and records its versions in schema_migrations
(version, dirty). The first five alembic revisions replay that SQL exactly, so adopting is:
1. recognise: schema_migrations holds exactly the five versions, none dirty, and no alembic_version;
2. compare the live catalog with what revision 20240101000005 builds (gmctl.adopt.reference) and
   sort what differs (gmctl.adopt.variants) into variants the migrations bring to head (optional
   blocks of the document present or absent, gmctl.adopt.blocks, and known hand fixes), the
   team's harmless extras (kept, reported, and left out of `db check`), and conflicts, on which
   it refuses with the list and what to do;
3. pre-check the data against the rules the fixes add (gmctl.adopt.prechecks) and report, before
   changing anything, the rows that would be refused (refuse) or removed (ask to confirm);
4. stamp 20240101000005 and upgrade to head, in ONE transaction, which also proves afterwards that
   every table kept its rows and that the schema matches the models, else rolls everything back.
"""

"""Uploaded files (`gmctl files`): where they live, what clamd says of them, whether they are intact.

- storage: the storage root, the quarantine directory, the clamd socket, and path containment;
- sizes: the one parser of sizes like 10MB or 512KiB;
- listing, detail: `files list` and `files show`;
- clamd: the INSTREAM client; scan: `files scan` runs (batches, lock, per-file commits);
- verify: sha256 and size against the record; orphans; duplicates; sniff: `files types`;
- quarantine: `files quarantine` and `files release`; marker: the project's harmless test signature.
"""

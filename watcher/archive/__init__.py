"""What watcher's kept evidence becomes for others: verification of the hash chains, a WARC
file for web archives and replay tools, and a bundle of files per change for a complaint."""

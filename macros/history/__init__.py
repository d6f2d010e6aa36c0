"""Protocol versions from the trial file's git history: content diff, archive, feed."""

"""Operations: backups and restores (`python -m app.ops backup|restore|list|prune`)."""

"""Send jobs as the front end and ops see them: list, detail with per-document steps, retry, cancel."""

"""The operator console at ``/ui``: server-rendered pages over the ledger, audit log and admin API.

Nothing to build or run besides the gateway: Jinja2 templates, one stylesheet and htmx are
shipped in this package.  :mod:`.app` is the ASGI app the gateway mounts under ``/ui/``;
:mod:`.session` the admin-key login, session cookie and CSRF tokens; :mod:`.data` reads what
the pages show (counts and metadata only — never a prompt, a completion or a detected value).
"""

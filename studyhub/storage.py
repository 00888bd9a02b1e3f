"""Where collectstatic puts static files in production, and under which names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage (hashed names, cached for good, compressed copies), which also
    rewrites ES module imports to hashed names.

    The editor's script is a set of modules (static/js/editor/) that import each other by
    relative path, as `import { draftCopy } from "./storage.js"`. Django rewrites those imports
    only with support_js_module_import_aggregation on; without it the hashed main.js would
    import plain storage.js, which whitenoise serves without the long-lived caching, and which
    can come from a different deploy than the main.js importing it.
    """

    support_js_module_import_aggregation = True

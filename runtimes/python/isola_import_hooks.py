"""Run a patch right after a module is imported, whoever imports it and whenever.

`after_import({"pkg.module": patch})` puts a finder first on sys.meta_path that finds those modules
through the other finders and wraps their loader, so `patch(module)` runs once the module's own code
has executed and before anyone else sees it. A module imported already is patched at once. The lanes use
it to adapt third-party HTTP libraries to the egress path (isola_http_libs.py, isola_native.py).
"""

import importlib.abc
import sys
import types


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)


class _PatchFinder(importlib.abc.MetaPathFinder):
    def __init__(self, patches):
        self._patches = patches

    def find_spec(self, name, path=None, target=None):
        patch = self._patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


def after_import(patches):
    for name, patch in patches.items():
        module = sys.modules.get(name)
        if isinstance(module, types.ModuleType):  # imported before us (a preload): adapt it in place
            patch(module)
    sys.meta_path.insert(0, _PatchFinder(dict(patches)))

"""pytest plugin of o3ref (registered through the ``pytest11`` entry point).

Loaded in every pytest session of an environment where o3ref is installed, so it must
import nothing heavy at module level.
"""

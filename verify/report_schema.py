"""Old path of :mod:`o3ref.verify.reports.schema`, kept for users: every public name of
that module.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .reports import schema as _moved

globals().update({k: v for k, v in vars(_moved).items()
                if not k.startswith("_") and not isinstance(v, type(_moved))})
__all__ = list(_moved.__all__)

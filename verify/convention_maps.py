"""Old path of :mod:`o3ref.verify.conventions.maps`, kept for users: every public name of
that module.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .conventions import maps as _moved

globals().update({k: v for k, v in vars(_moved).items()
                if not k.startswith("_") and not isinstance(v, type(_moved))})
__all__ = list(_moved.__all__)

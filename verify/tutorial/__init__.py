"""The seed's worked example, ``o3ref tutorial``: its steps (:mod:`.steps`), its figures
(:mod:`.figures`) and the numbers the seed printed (:mod:`.published`). A front door:
nothing in o3ref imports it.

Conventions: :mod:`o3ref.reference.conventions`.
"""

__all__: list[str] = []

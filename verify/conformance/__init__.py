"""Runs against the exact reference: the plugin's checks of a user's function (:mod:`.checks`:
``check_sh``, ``check_wigner_d``, ``check_cg``, ...), the rows of ``o3ref verify``
(:mod:`.suite`, pipeline rows in :mod:`.rows`), and the one generator per quantity that
both use, as do the survey and the profile (:mod:`.quantities`, over the exact oracle
:mod:`o3ref.verify.oracle` and the comparison core :mod:`o3ref.verify.compare`).

Imports the verify root vocabulary and :mod:`o3ref.verify.conventions`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .checks import (
    PrecisionPolicy,
    Verdict,
    check_cg,
    check_sh,
    check_sh_gradient,
    check_sh_properties,
    check_wigner_d,
    check_wigner_d_homomorphism,
)

__all__ = ["PrecisionPolicy", "Verdict", "check_cg", "check_sh", "check_sh_gradient",
           "check_sh_properties", "check_wigner_d", "check_wigner_d_homomorphism"]

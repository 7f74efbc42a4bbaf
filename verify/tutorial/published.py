"""Numbers the seed tutorial printed, quoted once for the tests and ``o3ref tutorial``.

External reference data from the executed "Equivariant ML models" notebook
(equistore-examples, ``tutorial-equivariant-models.ipynb``), printed to 8 decimals: never
produced by o3ref. The geometry is frame 81 of the tutorial's data set (OH1 = 1.05 A,
HOH = 100 degrees), rotated by ZYZ Euler angles ``ROTATION`` where stated; the
hyper-parameters are :func:`o3ref.fast.seed_hypers`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import math

#: ZYZ Euler angles of the seed's ``rotated_structures[11]``: ``(0, pi/3, 6 pi/7)``
ROTATION = (0.0, math.pi / 3, 6 * math.pi / 7)

#: nu = 1, rotated frame 81, centre O, neighbour H, ``l = 2``, row ``m = -2``, ``n = 0..5``
NU1_OH_L2_M_MINUS2 = [0.00095825, 0.02684811, 0.00963709, -0.06326774, -0.00890712, -0.00458413]

#: nu = 1, frame 81, centre O, neighbour O, ``l = 0``: the centre's own (self) term, ``n = 0..5``
NU1_OO_SELF_L0 = [0.99638142, 0.03112951, -0.03504406, -0.00537349, 0.01706886, -0.00572469]

#: nu = 2 block ``(o3_sigma, o3_lambda) = (1, 3)``, the O of rotated frame 81: the first three
#: properties of the rows ``m + 3`` (the notebook's numpy print elided the row ``m = 0``)
NU2_S1_L3_FIRST3 = {
    0: [0.00014072, -0.00077032, 0.00188498],
    1: [0.00042794, 0.00030499, 0.00587038],
    2: [-0.00020352, -0.00081942, -0.00282702],
    4: [-0.00061061, -0.00110093, -0.00841084],
    5: [0.00047921, -0.00018288, 0.00654632],
    6: [-0.00020379, 0.0004222, -0.00276587],
}

#: the notebook's nu = 2 keys ``(order_nu, o3_sigma, o3_lambda)``, in its order
NU2_KEYS = [[2, 1, 0], [2, 1, 1], [2, 1, 2], [2, 1, 3], [2, 1, 4],
            [2, -1, 1], [2, -1, 2], [2, -1, 3], [2, -1, 4]]

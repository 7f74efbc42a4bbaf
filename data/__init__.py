"""Data shipped with o3ref: exact golden coefficient tables and the water-dipole data set.

Installed as ``o3ref.data``; read files with ``importlib.resources.files("o3ref.data")``.
"""

"""
.. include:: ./benchmarks.md
"""

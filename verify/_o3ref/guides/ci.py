"""
.. include:: ./ci.md
"""
